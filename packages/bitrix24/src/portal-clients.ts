import type { Logger } from '@b24app/core';
import { Bitrix24Error } from './bitrix24-errors.js';
import { noPortalCallObserver, type PortalCallObserver } from './portal-call-observer.js';
import { type PortalClient, type PortalClientSettings, SdkPortalClient } from './portal-client.js';
import type { PortalRateLimiter } from './portal-rate-limiter.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry-policy.js';
import type { TokenStore } from './token-store.js';

export interface PortalClientsDeps {
  store: TokenStore;
  limiter: PortalRateLimiter;
  clientId: string;
  clientSecret: string;
  logger: Logger;
  /** Bound of one OAuth refresh call (the SDK's own has none). Default 10 s. */
  oauthTimeoutMs?: number;
  /** Bound of one REST request. Default 30 s. */
  requestTimeoutMs?: number;
  /** Default `maxWaitMs` of calls. Default 5 s. */
  defaultMaxWaitMs?: number;
  /** Refresh this long before the stored expiry. Default 60 s. */
  expirySkewSec?: number;
  retry?: Partial<Omit<RetryOptions, 'idempotent'>>;
  /** For the OAuth refresh request (tests). */
  fetch?: typeof fetch;
  /**
   * Most portal clients kept in this process (least recently used dropped first). Default 250: a client is
   * ≈ 21 KB of heap (the SDK's `B24OAuth` builds two HTTP clients with their limiters) and rebuilding one costs
   * a token read, so this bounds them at ≈ 5 MB however many portals are installed.
   */
  maxClients?: number;
  /** A client unused this long is dropped, by a periodic sweep (its portal may be quiet or gone). Default 5 min. */
  idleTtlMs?: number;
  /** Clock (tests). */
  now?: () => number;
  /** Metrics hook: every HTTP request's outcome and every refresh. */
  observer?: PortalCallObserver;
}

export interface PortalClients {
  /**
   * The process's one client for this portal, as long as the stored token version is the one it holds: a
   * reinstall (new tokens, maybe a new domain) or an uninstall seen by any process replaces it here too.
   * Rejects with TOKEN_REVOKED when the portal has no usable tokens.
   */
  get(memberId: string): Promise<PortalClient>;
  /**
   * Renews the portal's refresh token ahead of its expiry (the token keep-alive), through this process's client
   * of the portal and its single-flight refresh, unless it was issued after `issuedBefore` (unix seconds).
   */
  keepAlive(memberId: string, issuedBefore: number): Promise<'refreshed' | 'renewed_meanwhile'>;
  /** Drops the cached client (after a reinstall or uninstall). */
  forget(memberId: string): void;
  /** Clients held now: at most `maxClients`, none idle longer than `idleTtlMs` (give or take a sweep). */
  readonly size: number;
  close(): void;
}

/** One client per recently active portal per process (the SDK's state lives in it), bounded in number and idle time. */
export function createPortalClients(deps: PortalClientsDeps): PortalClients {
  const settings: PortalClientSettings = {
    store: deps.store,
    limiter: deps.limiter,
    clientId: deps.clientId,
    clientSecret: deps.clientSecret,
    oauthTimeoutMs: deps.oauthTimeoutMs ?? 10_000,
    requestTimeoutMs: deps.requestTimeoutMs ?? 30_000,
    defaultMaxWaitMs: deps.defaultMaxWaitMs ?? 5_000,
    expirySkewSec: deps.expirySkewSec ?? 60,
    retry: { ...DEFAULT_RETRY, ...deps.retry },
    observer: deps.observer ?? noPortalCallObserver,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  };
  const maxClients = deps.maxClients ?? 250;
  const idleTtlMs = deps.idleTtlMs ?? 5 * 60_000;
  const now = deps.now ?? Date.now;
  // Insertion order is recency order: a hit is moved to the end, the first entry is the least recently used.
  const clients = new Map<string, { client: SdkPortalClient; usedAt: number }>();
  const creating = new Map<string, Promise<SdkPortalClient>>();
  let closed = false;

  /** Drops the least recently used clients while they are idle too long: the oldest come first. */
  const sweep = () => {
    const cutoff = now() - idleTtlMs;
    for (const [memberId, entry] of clients) {
      if (entry.usedAt > cutoff) break;
      clients.delete(memberId);
    }
  };
  // Without it, idle clients would stay until the map overflows: a quiet process would hold them forever.
  const sweeper = setInterval(sweep, Math.min(Math.max(idleTtlMs / 2, 1_000), 60_000));
  sweeper.unref();

  const create = async (memberId: string): Promise<SdkPortalClient> => {
    const creds = await deps.store.load(memberId);
    if (!creds) {
      throw new Bitrix24Error({
        kind: 'TOKEN_REVOKED',
        method: 'portal',
        b24Code: 'PORTAL_NOT_ACTIVE',
        message: `portal ${memberId} is not installed or needs a reinstall`,
      });
    }
    const client = new SdkPortalClient(creds, settings, deps.logger.child({ memberId }));
    if (!closed) {
      clients.set(memberId, { client, usedAt: now() });
      while (clients.size > maxClients) {
        const oldest = clients.keys().next().value;
        if (oldest === undefined) break;
        clients.delete(oldest);
      }
    }
    return client;
  };

  /** The cached client, if it is alive, recently used and holds the stored token version. */
  const cachedCurrent = async (memberId: string): Promise<SdkPortalClient | undefined> => {
    const cached = clients.get(memberId);
    if (!cached) return undefined;
    const drop = () => {
      if (clients.get(memberId) === cached) clients.delete(memberId);
    };
    if (cached.client.dead || now() - cached.usedAt > idleTtlMs) return void drop();
    if ((await deps.store.version(memberId)) !== cached.client.version) return void drop();
    if (clients.get(memberId) === cached) {
      clients.delete(memberId);
      cached.usedAt = now();
      clients.set(memberId, cached);
    }
    return cached.client;
  };

  const get = async (memberId: string): Promise<SdkPortalClient> => {
    if (closed)
      throw new Bitrix24Error({
        kind: 'TRANSIENT',
        method: 'portal',
        b24Code: 'CLOSED',
        message: 'portal clients closed',
      });
    sweep();
    const current = await cachedCurrent(memberId);
    if (current) return current;
    let pending = creating.get(memberId);
    if (!pending) {
      pending = create(memberId).finally(() => creating.delete(memberId));
      creating.set(memberId, pending);
    }
    return pending;
  };

  return {
    get,
    async keepAlive(memberId, issuedBefore) {
      return (await get(memberId)).keepAlive(issuedBefore);
    },
    forget(memberId) {
      clients.delete(memberId);
    },
    get size() {
      return clients.size;
    },
    close() {
      closed = true;
      clearInterval(sweeper);
      clients.clear();
    },
  };
}
