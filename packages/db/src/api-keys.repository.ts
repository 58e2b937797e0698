/**
 * The one owner of `api_keys`: a portal's own keys of the integrations API. Issued with a fresh random key
 * (shown once: only its SHA-256 is kept, plus a prefix and last four for the page) and a signing secret for the
 * key's decision callbacks, sealed by the token cipher bound to the row. Nothing else writes the table.
 *
 * No cache here and none in the server: every request looks its key up (one indexed read), so a revoke holds
 * from the next request on, in every replica.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { matchesSha256, sha256Hex, type TokenCipher } from '@b24app/core';
import type { Db } from './client.js';
import type { Prisma } from './generated/prisma/client.js';

/** Every portal key starts so: recognisable in a config file or a leaked log, and by secret scanners. */
export const API_KEY_PREFIX = 'b24a_';
const SIGNING_SECRET_PREFIX = 'b24s_';
/** The prefix, then 32 random bytes in base64url (43 characters). */
const API_KEY_SHAPE = /^b24a_[A-Za-z0-9_-]{43}$/;
/** How stale `last_used_at` may get: a key used all day costs one write a minute, not one per request. */
const LAST_USED_GRANULARITY_MS = 60_000;

/** What the app page lists: never the key or the secret. */
export interface ApiKeyView {
  id: string;
  name: string;
  /** `b24a_` and the key's next four characters. */
  prefix: string;
  last4: string;
  createdAt: Date;
  createdBy: { id: number; name: string | null };
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** A presented key that is live: the portal it acts on. */
export interface VerifiedApiKey {
  id: string;
  portalId: string;
  memberId: string;
}

export interface ApiKeysRepository {
  /** A new key of the portal. The result's `apiKey` and `signingSecret` exist only here: show them once. */
  issue(input: {
    portalId: string;
    name: string;
    createdBy: { id: number; name: string | null };
  }): Promise<{ key: ApiKeyView; apiKey: string; signingSecret: string }>;
  /** The portal's keys, newest first, revoked ones included (the page shows when). */
  list(portalId: string): Promise<ApiKeyView[]>;
  /** Keys of the portal not revoked. */
  countActive(portalId: string): Promise<number>;
  /** Revokes one key of the portal. False: no such key of this portal. Revoking again keeps the first time. */
  revoke(portalId: string, keyId: string, byUserId: number): Promise<boolean>;
  /** Every key of the portal at once (the app was uninstalled). */
  revokeAllOfPortal(portalId: string): Promise<number>;
  /** The portal's keys gone with its data (uninstall with CLEAN=1), inside that transaction. */
  purgePortal(tx: Prisma.TransactionClient, portalId: string): Promise<void>;
  /**
   * The live key a request presents, or null: not a key of ours, revoked, or its portal uninstalled. Notes the
   * use (at most once a minute per key).
   */
  verify(presented: string): Promise<VerifiedApiKey | null>;
  /**
   * The signing secret of a key, for its approvals' callbacks; null when there is no such key. A revoked key's
   * secret is still returned: callbacks of approvals it created before the revoke are still signed with it.
   */
  signingSecretOf(keyId: string): Promise<string | null>;
}

/** Where a secret is sealed: moved to another row or column, it no longer opens. */
const secretContext = (keyId: string) => `api_keys/${keyId}/signing_secret`;

const random = (prefix: string) => prefix + randomBytes(32).toString('base64url');

/** Pure: does this look like one of our portal keys (so the server knows which check a bearer needs). */
export const looksLikeApiKey = (s: string): boolean => API_KEY_SHAPE.test(s);

const toView = (r: Prisma.ApiKeyGetPayload<object>): ApiKeyView => ({
  id: r.id,
  name: r.name,
  prefix: r.keyPrefix,
  last4: r.keyLast4,
  createdAt: r.createdAt,
  createdBy: { id: r.createdById, name: r.createdByName },
  lastUsedAt: r.lastUsedAt,
  revokedAt: r.revokedAt,
});

export function createApiKeysRepository(db: Db, cipher: TokenCipher): ApiKeysRepository {
  return {
    async issue(input) {
      const id = randomUUID();
      const apiKey = random(API_KEY_PREFIX);
      const signingSecret = random(SIGNING_SECRET_PREFIX);
      const sealed = cipher.encrypt(signingSecret, secretContext(id));
      const row = await db.apiKey.create({
        data: {
          id,
          portalId: input.portalId,
          name: input.name,
          keyHash: sha256Hex(apiKey),
          keyPrefix: apiKey.slice(0, API_KEY_PREFIX.length + 4),
          keyLast4: apiKey.slice(-4),
          signingSecretEnc: sealed.data,
          signingSecretKeyId: sealed.keyId,
          createdById: input.createdBy.id,
          createdByName: input.createdBy.name,
        },
      });
      return { key: toView(row), apiKey, signingSecret };
    },

    async list(portalId) {
      const rows = await db.apiKey.findMany({
        where: { portalId },
        orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
        take: 200,
      });
      return rows.map(toView);
    },

    countActive: (portalId) => db.apiKey.count({ where: { portalId, revokedAt: null } }),

    async revoke(portalId, keyId, byUserId) {
      const { count } = await db.apiKey.updateMany({
        where: { id: keyId, portalId, revokedAt: null },
        data: { revokedAt: new Date(), revokedById: byUserId },
      });
      if (count === 1) return true;
      return (await db.apiKey.count({ where: { id: keyId, portalId } })) === 1;
    },

    async revokeAllOfPortal(portalId) {
      const { count } = await db.apiKey.updateMany({
        where: { portalId, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      return count;
    },

    async purgePortal(tx, portalId) {
      await tx.apiKey.deleteMany({ where: { portalId } });
    },

    async verify(presented) {
      if (!looksLikeApiKey(presented)) return null;
      // Looked up by the key's hash (an index on a SHA-256 reveals nothing of the key through timing), then
      // compared with the stored hash in constant time.
      const row = await db.apiKey.findUnique({
        where: { keyHash: sha256Hex(presented) },
        select: {
          id: true,
          keyHash: true,
          revokedAt: true,
          lastUsedAt: true,
          portal: { select: { id: true, memberId: true, status: true } },
        },
      });
      if (!row || row.revokedAt !== null || !matchesSha256(presented, row.keyHash)) return null;
      if (row.portal.status === 'UNINSTALLED') return null;
      const staleBefore = new Date(Date.now() - LAST_USED_GRANULARITY_MS);
      if (row.lastUsedAt === null || row.lastUsedAt < staleBefore) {
        // Conditional, so concurrent requests (and replicas) write the row once; off the request's path.
        void db.apiKey
          .updateMany({
            where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: staleBefore } }] },
            data: { lastUsedAt: new Date() },
          })
          .catch(() => {});
      }
      return { id: row.id, portalId: row.portal.id, memberId: row.portal.memberId };
    },

    async signingSecretOf(keyId) {
      const row = await db.apiKey.findUnique({
        where: { id: keyId },
        select: { signingSecretEnc: true, signingSecretKeyId: true },
      });
      if (!row) return null;
      return cipher.decrypt(row.signingSecretKeyId, row.signingSecretEnc, secretContext(keyId));
    },
  };
}
