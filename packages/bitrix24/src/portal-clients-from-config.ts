import { type CommonEnv, createTokenCipher, type Logger, type TokenCipher } from '@b24app/core';
import type { Db } from '@b24app/db';
import type { Cluster, Redis } from 'ioredis';
import type { PortalCallObserver } from './portal-call-observer.js';
import { createPortalClients, type PortalClients } from './portal-clients.js';
import { createPortalRateLimiter, type PortalRateLimiter } from './portal-rate-limiter.js';
import { createPrismaTokenStore, type PrismaTokenStore } from './prisma-token-store.js';

/** The configuration the portal-client chain reads (both apps' configs extend the common one). */
export type PortalClientsConfig = Pick<
  CommonEnv,
  | 'B24_CLIENT_ID'
  | 'B24_CLIENT_SECRET'
  | 'TOKEN_ENCRYPTION_KEY'
  | 'TOKEN_ENCRYPTION_KEYS_OLD'
  | 'B24_RATE_LIMIT_BURST'
  | 'B24_RATE_LIMIT_PER_SEC'
  | 'B24_REQUEST_TIMEOUT_MS'
  | 'PORTAL_CLIENTS_MAX'
  | 'PORTAL_CLIENT_IDLE_MS'
>;

export interface PortalClientChain {
  /** The key ring (the click intake seals the clicking user's token with it; the worker opens it). */
  cipher: TokenCipher;
  /** The one writer of the token columns (the server's install and uninstall use it too). */
  store: PrismaTokenStore;
  limiter: PortalRateLimiter;
  clients: PortalClients;
}

/**
 * The one place that builds cipher → token store → shared limiter → portal clients from config, for the
 * server and the worker alike, so both processes encrypt, lock and rate-limit the same way.
 */
export function createPortalClientsFromConfig(
  config: PortalClientsConfig,
  deps: {
    db: Db;
    redis: Redis | Cluster;
    logger: Logger;
    fetch?: typeof fetch;
    /** Metrics hook of the app (REST requests by method and outcome, refreshes). */
    observer?: PortalCallObserver;
    /** Longest wait for a slot of the portal's bucket of a call that names none (default 5 s). */
    defaultMaxWaitMs?: number;
  },
): PortalClientChain {
  const cipher = createTokenCipher(config.TOKEN_ENCRYPTION_KEY, config.TOKEN_ENCRYPTION_KEYS_OLD ?? []);
  const store = createPrismaTokenStore(deps.db, cipher);
  const limiter = createPortalRateLimiter(deps.redis, {
    policy: { burst: config.B24_RATE_LIMIT_BURST, drainPerSec: config.B24_RATE_LIMIT_PER_SEC },
  });
  const clients = createPortalClients({
    store,
    limiter,
    clientId: config.B24_CLIENT_ID,
    clientSecret: config.B24_CLIENT_SECRET,
    requestTimeoutMs: config.B24_REQUEST_TIMEOUT_MS,
    maxClients: config.PORTAL_CLIENTS_MAX,
    idleTtlMs: config.PORTAL_CLIENT_IDLE_MS,
    logger: deps.logger,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.observer ? { observer: deps.observer } : {}),
    ...(deps.defaultMaxWaitMs !== undefined ? { defaultMaxWaitMs: deps.defaultMaxWaitMs } : {}),
  });
  return { cipher, store, limiter, clients };
}
