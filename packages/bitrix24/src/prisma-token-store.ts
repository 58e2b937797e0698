/**
 * Token store on the `portals` table: the one writer of its token columns (the ciphertexts, their key id and
 * expiry, the token version and the application-token hash). Install, refresh, revoke and purge all go
 * through it.
 *
 * Tokens are AES-256-GCM ciphertexts with the key id per row, each bound to its portal and column; a row
 * written with a retired key or in the legacy unbound format is still read, and is re-encrypted on its next
 * write (any refresh, or the first time a refresh lock is taken on it: within the hour for a live portal).
 *
 * The cross-process lock is a PostgreSQL row lock held by an interactive transaction: it works for any number
 * of server and worker processes sharing the database, is released by PostgreSQL if a process dies, and needs
 * no extra infrastructure. It is `FOR NO KEY UPDATE`, the lock an UPDATE of non-key columns takes anyway, so
 * the `FOR KEY SHARE` of a click INSERT's foreign-key check never waits for a refresh.
 */
import { AppError, matchesSha256, sha256Hex, type TokenCipher } from '@b24app/core';
import type { Db } from '@b24app/db';
import { Bitrix24Error } from './bitrix24-errors.js';
import type { PortalCredentials, RotatedTokens, TokenStore } from './token-store.js';

/** The columns a token write sets. Exported for test fixtures that seed a row the way the store writes it. */
export interface EncryptedTokenColumns {
  accessTokenEnc: string;
  refreshTokenEnc: string;
  tokenKeyId: string;
  accessExpiresAt: Date;
}

/**
 * Each ciphertext is bound (AES-GCM additional data) to the portal's member id and its column: copied to
 * another portal's row, or from one column to the other, it no longer decrypts. The member id is the row's
 * pinned identity (unique, never changed, known before the row exists).
 */
const contextOf = (memberId: string, column: 'access_token' | 'refresh_token') => `portals/${memberId}/${column}`;

export function encryptTokenColumns(
  cipher: TokenCipher,
  memberId: string,
  tokens: RotatedTokens,
): EncryptedTokenColumns {
  const access = cipher.encrypt(tokens.accessToken, contextOf(memberId, 'access_token'));
  const refresh = cipher.encrypt(tokens.refreshToken, contextOf(memberId, 'refresh_token'));
  return {
    accessTokenEnc: access.data,
    refreshTokenEnc: refresh.data,
    tokenKeyId: access.keyId,
    accessExpiresAt: new Date(tokens.expiresAt * 1000),
  };
}

/** What an install or update (page, ONAPPINSTALL, ONAPPUPDATE) stores once it has been verified. */
export interface PortalInstall {
  memberId: string;
  domain: string;
  clientEndpoint: string;
  serverEndpoint: string;
  scope: string;
  appStatus: string | null;
  tokens: RotatedTokens;
  applicationToken?: string | undefined;
  /** Bitrix24's `ts` of the install event (unix seconds); the page carries none. */
  eventTs?: number | undefined;
  /** The installer page ran (BX24.installFinish follows). */
  finished: boolean;
  /** ONAPPUPDATE of an installed portal: the stored application token must be presented. */
  requireStoredApplicationToken: boolean;
}

export type InstallOutcome =
  | { stored: true; portalId: string; reinstall: boolean; version: number }
  /** The stored tokens are newer (a replayed or late install): nothing was changed. */
  | { stored: false; portalId: string; reason: 'older_than_stored' };

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];
/** Work that must commit or roll back with the token write (settings row, requeue, data purge). */
export type InTransaction = (tx: Tx, portalId: string) => Promise<void>;

export interface RevokeOptions {
  status: 'UNINSTALLED' | 'NEEDS_REINSTALL';
  reason: string;
  /** Only when the stored tokens are still that version (so a reinstall that raced us is not undone). */
  ifVersion?: number;
  /** Bitrix24's `ts` of the uninstall (unix seconds): ignored when older than the latest install. */
  eventTs?: number | undefined;
  /** Deletes the portal's data in the same transaction, after the portal row is locked (CLEAN=1). */
  purge?: InTransaction;
}

export type RevokeOutcome = { revoked: true; portalId: string } | { revoked: false; reason: 'unknown' | 'stale' };

/** A portal the token keep-alive should refresh: its refresh token was issued before the cutoff. */
export interface KeepAliveCandidate {
  memberId: string;
  refreshIssuedAt: Date;
}

export interface PrismaTokenStore extends TokenStore {
  /**
   * Creates or updates the portal and stores its tokens and application-token hash, under the same row lock
   * the refresh takes; bumps the version so every running client adopts them. Unless its tokens are dead, a
   * portal keeps tokens that are newer than the install's (older `ts` or earlier expiry).
   */
  install(input: PortalInstall, inTransaction?: InTransaction): Promise<InstallOutcome>;
  /** Forgets a portal's tokens (uninstall, dead refresh token), optionally purging its data with it. */
  revoke(memberId: string, opts: RevokeOptions): Promise<RevokeOutcome>;
  /** Installed portals whose refresh token was issued before `issuedBefore`, oldest first. */
  keepAliveDue(issuedBefore: Date, limit: number): Promise<KeepAliveCandidate[]>;
  /**
   * A keep-alive refresh kept failing for a reason that is not a dead refresh token (that one marks the portal
   * NEEDS_REINSTALL): the portal stays ACTIVE with the reason shown; its next successful token write clears it.
   */
  noteKeepAliveFailure(memberId: string, reason: string): Promise<void>;
}

export interface PrismaTokenStoreOptions {
  /** How long to wait for another process's refresh to release the row (PostgreSQL `lock_timeout`). */
  lockTimeoutMs?: number;
  /** Upper bound of one critical section; must exceed the OAuth call's timeout. */
  transactionTimeoutMs?: number;
}

interface PortalRow {
  id: string;
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
  refresh_issued_at: Date | null;
  token_version: number;
  application_token_hash: string | null;
  installed_at: Date | null;
  latest_install_at: Date | null;
}

const revoked = (memberId: string, why: string) =>
  new Bitrix24Error({
    kind: 'TOKEN_REVOKED',
    method: 'oauth.token',
    b24Code: 'PORTAL_NOT_ACTIVE',
    message: `portal ${memberId} has no usable tokens (${why})`,
  });

const fromSec = (sec: number) => new Date(sec * 1000);

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
      accessToken: cipher.decrypt(row.token_key_id, row.access_token_enc, contextOf(row.member_id, 'access_token')),
      refreshToken: cipher.decrypt(row.token_key_id, row.refresh_token_enc, contextOf(row.member_id, 'refresh_token')),
      expiresAt: row.access_expires_at ? Math.floor(row.access_expires_at.getTime() / 1000) : 0,
      version: row.token_version,
      refreshIssuedAt: row.refresh_issued_at ? Math.floor(row.refresh_issued_at.getTime() / 1000) : undefined,
    };
  };

  const selectRow = async (tx: Tx | Db, memberId: string, lock: boolean): Promise<PortalRow | undefined> => {
    const rows = lock
      ? await tx.$queryRaw<PortalRow[]>`
          SELECT id::text AS id, member_id, domain, client_endpoint, server_endpoint, scope, status::text AS status,
                 access_token_enc, refresh_token_enc, token_key_id, access_expires_at, refresh_issued_at, token_version,
                 application_token_hash, installed_at, latest_install_at
          FROM portals WHERE member_id = ${memberId} FOR NO KEY UPDATE`
      : await tx.$queryRaw<PortalRow[]>`
          SELECT id::text AS id, member_id, domain, client_endpoint, server_endpoint, scope, status::text AS status,
                 access_token_enc, refresh_token_enc, token_key_id, access_expires_at, refresh_issued_at, token_version,
                 application_token_hash, installed_at, latest_install_at
          FROM portals WHERE member_id = ${memberId}`;
    return rows[0];
  };

  const lockRow = async (tx: Tx, memberId: string): Promise<PortalRow | undefined> => {
    // SET LOCAL cannot take a bind parameter; the value is our own integer.
    await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
    return selectRow(tx, memberId, true);
  };

  /** `issuedAt`: a new pair (its refresh token's issue time, and any keep-alive note cleared); none: re-encrypted. */
  const writeTokens = async (tx: Tx, memberId: string, tokens: RotatedTokens, version: number, issuedAt?: Date) => {
    await tx.portal.update({
      where: { memberId },
      data: {
        ...encryptTokenColumns(cipher, memberId, tokens),
        tokenVersion: version,
        ...(issuedAt ? { refreshIssuedAt: issuedAt, statusReason: null } : {}),
      },
    });
  };

  const inTransaction = <T>(fn: (tx: Tx) => Promise<T>) =>
    db.$transaction(fn, { maxWait: lockTimeoutMs, timeout: transactionTimeoutMs });

  /** The stored tokens are live and newer than the ones offered: keep them. */
  const storedIsNewer = (row: PortalRow, input: PortalInstall): boolean => {
    if (!decodable(row)) return false;
    if (input.eventTs !== undefined && row.latest_install_at && fromSec(input.eventTs) < row.latest_install_at)
      return true;
    return row.access_expires_at !== null && fromSec(input.tokens.expiresAt) < row.access_expires_at;
  };
  const decodable = (row: PortalRow) => row.status === 'ACTIVE' && row.access_token_enc !== null;

  const revoke = (memberId: string, r: RevokeOptions): Promise<RevokeOutcome> =>
    inTransaction(async (tx): Promise<RevokeOutcome> => {
      // The portal row first, then (purge) its data: the same order as every other writer.
      const row = await lockRow(tx, memberId);
      if (!row) return { revoked: false, reason: 'unknown' };
      if (r.ifVersion !== undefined && row.token_version !== r.ifVersion) return { revoked: false, reason: 'stale' };
      if (r.eventTs !== undefined && row.latest_install_at && fromSec(r.eventTs) < row.latest_install_at) {
        return { revoked: false, reason: 'stale' };
      }
      const uninstall = r.status === 'UNINSTALLED';
      await tx.portal.update({
        where: { memberId },
        data: {
          status: r.status,
          statusReason: r.reason.slice(0, 200),
          accessTokenEnc: null,
          refreshTokenEnc: null,
          accessExpiresAt: null,
          refreshIssuedAt: null,
          tokenVersion: row.token_version + 1,
          ...(uninstall ? { uninstalledAt: new Date(), eventsBoundAt: null } : {}),
        },
      });
      await r.purge?.(tx, row.id);
      return { revoked: true, portalId: row.id };
    });

  return {
    async load(memberId) {
      const row = await selectRow(db, memberId, false);
      return row ? decode(row) : null;
    },

    async version(memberId) {
      const rows = await db.$queryRaw<{ token_version: number; live: boolean }[]>`
        SELECT token_version, (status = 'ACTIVE' AND access_token_enc IS NOT NULL) AS live
        FROM portals WHERE member_id = ${memberId}`;
      const row = rows[0];
      return row?.live ? row.token_version : null;
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
          const issuedAt = new Date();
          await writeTokens(tx, memberId, rotated, version, issuedAt);
          return { ...current, ...rotated, version, refreshIssuedAt: Math.floor(issuedAt.getTime() / 1000) };
        }
        const stale = (data: string | null) => data !== null && cipher.needsReencrypt(row.token_key_id ?? '', data);
        if (stale(row.access_token_enc) || stale(row.refresh_token_enc)) {
          // A retired key or the legacy unbound format. Same tokens, same version: no client needs to notice.
          await writeTokens(tx, memberId, current, current.version);
        }
        return current;
      });
    },

    async markNeedsReinstall(memberId, reason, markOpts = {}) {
      await revoke(memberId, {
        status: 'NEEDS_REINSTALL',
        reason,
        ...(markOpts.ifVersion === undefined ? {} : { ifVersion: markOpts.ifVersion }),
      });
    },

    install(input, then) {
      return inTransaction(async (tx) => {
        // Insert-if-absent then lock: page and event racing for a new portal serialise on the row.
        await tx.$executeRaw`
          INSERT INTO portals (id, member_id, domain, client_endpoint, server_endpoint, updated_at)
          VALUES (gen_random_uuid(), ${input.memberId}, ${input.domain}, ${input.clientEndpoint}, ${input.serverEndpoint}, now())
          ON CONFLICT (member_id) DO NOTHING`;
        const row = await lockRow(tx, input.memberId);
        if (!row) throw new AppError('INTERNAL', 'portal row vanished during install');
        if (input.requireStoredApplicationToken && row.status === 'ACTIVE' && row.application_token_hash) {
          const presented = input.applicationToken ?? '';
          if (!matchesSha256(presented, row.application_token_hash)) {
            throw new AppError('UNAUTHORIZED', 'the update does not carry the installed application token');
          }
        }
        if (storedIsNewer(row, input)) return { stored: false, portalId: row.id, reason: 'older_than_stored' };

        const now = new Date();
        const reinstall = row.status !== 'ACTIVE' || row.installed_at !== null;
        const version = row.token_version + 1;
        const eventAt = input.eventTs === undefined ? undefined : fromSec(input.eventTs);
        await tx.portal.update({
          where: { memberId: input.memberId },
          data: {
            // The domain may change (portal renamed); member_id stays pinned and the OAuth server confirmed it.
            domain: input.domain,
            clientEndpoint: input.clientEndpoint,
            serverEndpoint: input.serverEndpoint,
            scope: input.scope,
            appStatus: input.appStatus,
            status: 'ACTIVE',
            statusReason: null,
            ...encryptTokenColumns(cipher, input.memberId, input.tokens),
            refreshIssuedAt: now,
            tokenVersion: version,
            ...(input.applicationToken ? { applicationTokenHash: sha256Hex(input.applicationToken) } : {}),
            installedAt: row.status === 'ACTIVE' && row.installed_at ? row.installed_at : now,
            // Only Bitrix24's clock orders installs against uninstalls; the page has no `ts`.
            ...(eventAt && (!row.latest_install_at || eventAt > row.latest_install_at)
              ? { latestInstallAt: eventAt }
              : {}),
            uninstalledAt: null,
            ...(input.finished ? { installFinishedAt: now } : {}),
          },
        });
        await then?.(tx, row.id);
        return { stored: true, portalId: row.id, reinstall, version };
      });
    },

    revoke,

    async keepAliveDue(issuedBefore, limit) {
      const rows = await db.$queryRaw<{ member_id: string; refresh_issued_at: Date }[]>`
        SELECT member_id, refresh_issued_at FROM portals
        WHERE status = 'ACTIVE' AND refresh_token_enc IS NOT NULL AND refresh_issued_at < ${issuedBefore}
        ORDER BY refresh_issued_at LIMIT ${limit}`;
      return rows.map((r) => ({ memberId: r.member_id, refreshIssuedAt: r.refresh_issued_at }));
    },

    async noteKeepAliveFailure(memberId, reason) {
      await db.$executeRaw`
        UPDATE portals SET status_reason = ${reason.slice(0, 200)}, updated_at = now()
        WHERE member_id = ${memberId} AND status = 'ACTIVE'`;
    },
  };
}
