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
  /** Metrics hook: every HTTP request's outcome and every refresh. */
  observer?: PortalCallObserver;
}

export interface PortalClients {
  /** The process's one client for this portal. Rejects with TOKEN_REVOKED when the portal has no usable tokens. */
  get(memberId: string): Promise<PortalClient>;
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
  const clients = new Map<string, SdkPortalClient>();
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
    if (!closed) clients.set(memberId, client);
    return client;
  };

  return {
    async get(memberId) {
      if (closed)
        throw new Bitrix24Error({
          kind: 'TRANSIENT',
          method: 'portal',
          b24Code: 'CLOSED',
          message: 'portal clients closed',
        });
      const cached = clients.get(memberId);
      if (cached && !cached.dead) return cached;
      if (cached) clients.delete(memberId); // dead tokens: a reinstall may have stored new ones
      let pending = creating.get(memberId);
      if (!pending) {
        pending = create(memberId).finally(() => creating.delete(memberId));
        creating.set(memberId, pending);
      }
      return pending;
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
