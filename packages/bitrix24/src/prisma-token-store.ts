import type { TokenCipher } from '@b24app/core';
import type { Db } from '@b24app/db';
import { Bitrix24Error } from './bitrix24-errors.js';
import type { PortalCredentials, RotatedTokens, TokenStore } from './token-store.js';

/** The columns a token write sets. Exported so the install path encrypts exactly the same way. */
export interface EncryptedTokenColumns {
  accessTokenEnc: string;
  refreshTokenEnc: string;
  tokenKeyId: string;
  accessExpiresAt: Date;
}

export function encryptTokenColumns(cipher: TokenCipher, tokens: RotatedTokens): EncryptedTokenColumns {
  const access = cipher.encrypt(tokens.accessToken);
  const refresh = cipher.encrypt(tokens.refreshToken);
  return {
    accessTokenEnc: access.data,
    refreshTokenEnc: refresh.data,
    tokenKeyId: access.keyId,
    accessExpiresAt: new Date(tokens.expiresAt * 1000),
  };
}

export interface PrismaTokenStore extends TokenStore {
  /**
   * Replaces a portal's tokens (install, reinstall, ONAPPUPDATE) under the same row lock the refresh uses, and
   * bumps the version so every running client adopts them. Returns the new version; null when no such portal.
   */
  saveTokens(memberId: string, tokens: RotatedTokens): Promise<number | null>;
}

export interface PrismaTokenStoreOptions {
  /** How long to wait for another process's refresh to release the row (PostgreSQL `lock_timeout`). */
  lockTimeoutMs?: number;
  /** Upper bound of one critical section; must exceed the OAuth call's timeout. */
  transactionTimeoutMs?: number;
}

interface PortalRow {
  member_id: string;
  domain: string;
  client_endpoint: string;
  server_endpoint: string;
  scope: string;
  status: string;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  token_key_id: string | null;
  access_expires_at: Date | null;
  token_version: number;
}

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

const revoked = (memberId: string, why: string) =>
  new Bitrix24Error({
    kind: 'TOKEN_REVOKED',
    method: 'oauth.token',
    b24Code: 'PORTAL_NOT_ACTIVE',
    message: `portal ${memberId} has no usable tokens (${why})`,
  });

/**
 * Token store on the `portals` table. Tokens are AES-256-GCM ciphertexts with the key id per row; a row written
 * with a retired key is still read, and is re-encrypted with the active key on its next write (any refresh, or
 * the first time a refresh lock is taken on it).
 *
 * The cross-process lock is a PostgreSQL row lock (`SELECT … FOR UPDATE`) held by an interactive transaction:
 * it works for any number of server and worker processes sharing the database, is released by PostgreSQL if a
 * process dies, and needs no extra infrastructure.
 */
export function createPrismaTokenStore(
  db: Db,
  cipher: TokenCipher,
  opts: PrismaTokenStoreOptions = {},
): PrismaTokenStore {
  const lockTimeoutMs = opts.lockTimeoutMs ?? 15_000;
  const transactionTimeoutMs = opts.transactionTimeoutMs ?? 40_000;

  const decode = (row: PortalRow): PortalCredentials | null => {
    if (row.status !== 'ACTIVE' || !row.access_token_enc || !row.refresh_token_enc || !row.token_key_id) return null;
    return {
      memberId: row.member_id,
      domain: row.domain,
      clientEndpoint: row.client_endpoint,
      serverEndpoint: row.server_endpoint,
      scope: row.scope,
      accessToken: cipher.decrypt(row.token_key_id, row.access_token_enc),
      refreshToken: cipher.decrypt(row.token_key_id, row.refresh_token_enc),
      expiresAt: row.access_expires_at ? Math.floor(row.access_expires_at.getTime() / 1000) : 0,
      version: row.token_version,
    };
  };

  const lockRow = async (tx: Tx, memberId: string): Promise<PortalRow | undefined> => {
    // SET LOCAL cannot take a bind parameter; the value is our own integer.
    await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
    const rows = await tx.$queryRaw<PortalRow[]>`
      SELECT member_id, domain, client_endpoint, server_endpoint, scope, status::text AS status,
             access_token_enc, refresh_token_enc, token_key_id, access_expires_at, token_version
      FROM portals WHERE member_id = ${memberId} FOR UPDATE`;
    return rows[0];
  };

  const writeTokens = async (tx: Tx, memberId: string, tokens: RotatedTokens, version: number) => {
    await tx.portal.update({
      where: { memberId },
      data: { ...encryptTokenColumns(cipher, tokens), tokenVersion: version },
    });
  };

  const inTransaction = <T>(fn: (tx: Tx) => Promise<T>) =>
    db.$transaction(fn, { maxWait: lockTimeoutMs, timeout: transactionTimeoutMs });

  return {
    async load(memberId) {
      const row = await db.portal.findUnique({ where: { memberId } });
      if (!row) return null;
      return decode({
        member_id: row.memberId,
        domain: row.domain,
        client_endpoint: row.clientEndpoint,
        server_endpoint: row.serverEndpoint,
        scope: row.scope,
        status: row.status,
        access_token_enc: row.accessTokenEnc,
        refresh_token_enc: row.refreshTokenEnc,
        token_key_id: row.tokenKeyId,
        access_expires_at: row.accessExpiresAt,
        token_version: row.tokenVersion,
      });
    },

    withRefreshLock(memberId, fn) {
      return inTransaction(async (tx) => {
        const row = await lockRow(tx, memberId);
        if (!row) throw revoked(memberId, 'unknown portal');
        const current = decode(row);
        if (!current) throw revoked(memberId, row.status.toLowerCase());
        const rotated = await fn(current);
        if (rotated) {
          const version = current.version + 1;
          await writeTokens(tx, memberId, rotated, version);
          return { ...current, ...rotated, version };
        }
        if (row.token_key_id && cipher.needsReencrypt(row.token_key_id)) {
          // Same tokens, same version: only the key changes, so no client needs to notice.
          await writeTokens(tx, memberId, current, current.version);
        }
        return current;
      });
    },

    async markNeedsReinstall(memberId, reason, markOpts = {}) {
      await db.portal.updateMany({
        where: { memberId, ...(markOpts.ifVersion === undefined ? {} : { tokenVersion: markOpts.ifVersion }) },
        data: {
          status: 'NEEDS_REINSTALL',
          statusReason: reason.slice(0, 200),
          accessTokenEnc: null,
          refreshTokenEnc: null,
          accessExpiresAt: null,
        },
      });
    },

    saveTokens(memberId, tokens) {
      return inTransaction(async (tx) => {
        const row = await lockRow(tx, memberId);
        if (!row) return null;
        const version = row.token_version + 1;
        await writeTokens(tx, memberId, tokens, version);
        return version;
      });
    },
  };
}
