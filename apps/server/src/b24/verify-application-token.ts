import { AppError, matchesSha256 } from '@b24app/core';
import type { Db } from '@b24app/db';

export interface VerifiedPortal {
  id: string;
  memberId: string;
  status: 'ACTIVE' | 'NEEDS_REINSTALL' | 'UNINSTALLED';
  /** The stored SHA-256 of the token that was just verified. */
  tokenHash?: string;
}

/**
 * The only authenticity proof of a Bitrix24 event: `auth[application_token]`, compared in constant
 * time with the one stored at install (we keep its SHA-256). Unknown portal and wrong token get the
 * same answer, so the endpoint does not reveal which member ids are installed.
 */
export async function verifyApplicationToken(
  db: Db,
  memberId: string,
  applicationToken: string,
): Promise<VerifiedPortal> {
  const portal = await db.portal.findUnique({
    where: { memberId },
    select: { id: true, memberId: true, status: true, applicationTokenHash: true },
  });
  // Compare even when there is nothing to compare with, so timing does not tell the two cases apart.
  const expected = portal?.applicationTokenHash ?? '0'.repeat(64);
  const ok = matchesSha256(applicationToken, expected) && portal?.applicationTokenHash != null;
  if (!portal || !ok) throw new AppError('UNAUTHORIZED', 'event authentication failed');
  return { id: portal.id, memberId: portal.memberId, status: portal.status, tokenHash: expected };
}
