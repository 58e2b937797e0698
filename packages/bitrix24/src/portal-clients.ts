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
  /** Most portal clients kept in this process (least recently used dropped first). Default 1000. */
  maxClients?: number;
  /** A client unused this long is dropped (its portal may be gone). Default 15 min. */
  idleTtlMs?: number;
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
  close(): void;
}

/** One long-lived client per portal per process (the SDK's state lives in it). */
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
  const maxClients = deps.maxClients ?? 1000;
  const idleTtlMs = deps.idleTtlMs ?? 15 * 60_000;
  // Insertion order is recency order: a hit is moved to the end, the first entry is the least recently used.
  const clients = new Map<string, { client: SdkPortalClient; usedAt: number }>();
  const creating = new Map<string, Promise<SdkPortalClient>>();
  let closed = false;

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
      clients.set(memberId, { client, usedAt: Date.now() });
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
    if (cached.client.dead || Date.now() - cached.usedAt > idleTtlMs) return void drop();
    if ((await deps.store.version(memberId)) !== cached.client.version) return void drop();
    if (clients.get(memberId) === cached) {
      clients.delete(memberId);
      cached.usedAt = Date.now();
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
    close() {
      closed = true;
      clients.clear();
    },
  };
}
