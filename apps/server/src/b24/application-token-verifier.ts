import { AppError, matchesSha256 } from '@b24app/core';
import type { Db } from '@b24app/db';
import { type VerifiedPortal, verifyApplicationToken } from './verify-application-token.js';

/**
 * `verifyApplicationToken` with a short-lived positive cache for the click hot path. Only a match
 * is served from the cache: a token that does not match the cached hash, or a portal not cached,
 * is always checked against the database, so a token rotated by ONAPPUPDATE is never refused.
 * Install and uninstall in this process drop the entry at once; other processes see an uninstall
 * within `ttlMs` (the worker re-checks the portal's status before it calls Bitrix24 anyway).
 */
export interface ApplicationTokenVerifier {
  verify(memberId: string, applicationToken: string): Promise<VerifiedPortal & { tokenHash: string }>;
  forget(memberId: string): void;
}

export function createApplicationTokenVerifier(
  db: Db,
  opts: { ttlMs?: number; maxEntries?: number } = {},
): ApplicationTokenVerifier {
  const ttlMs = opts.ttlMs ?? 2_000;
  const maxEntries = opts.maxEntries ?? 10_000;
  const cache = new Map<string, { portal: VerifiedPortal; tokenHash: string; until: number }>();

  return {
    async verify(memberId, applicationToken) {
      const hit = cache.get(memberId);
      if (hit && hit.until > Date.now() && matchesSha256(applicationToken, hit.tokenHash)) {
        return { ...hit.portal, tokenHash: hit.tokenHash };
      }
      const fresh = await verifyApplicationToken(db, memberId, applicationToken);
      if (!fresh.tokenHash) throw new AppError('UNAUTHORIZED', 'event authentication failed');
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
      cache.set(memberId, { portal: fresh, tokenHash: fresh.tokenHash, until: Date.now() + ttlMs });
      return { ...fresh, tokenHash: fresh.tokenHash };
    },
    forget: (memberId) => void cache.delete(memberId),
  };
}
