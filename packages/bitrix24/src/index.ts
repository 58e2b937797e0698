export {
  Bitrix24Error,
  type Bitrix24ErrorInit,
  type Bitrix24ErrorKind,
  isBitrix24Error,
  kindOf,
  restError,
} from './bitrix24-errors.js';
export { noPortalCallObserver, type PortalCallObserver } from './portal-call-observer.js';
export { oauthTokenUrl, refreshWithOAuthServer, type RefreshRequest } from './oauth-refresh.js';
export type {
  BatchCommand,
  BatchOptions,
  BatchOutcome,
  CallOptions,
  PortalClient,
} from './portal-client.js';
export { createPortalClients, type PortalClients, type PortalClientsDeps } from './portal-clients.js';
export {
  createPortalClientsFromConfig,
  type PortalClientChain,
  type PortalClientsConfig,
} from './portal-clients-from-config.js';
export {
  createPortalRateLimiter,
  ENTERPRISE_POLICY,
  effectiveBurst,
  effectivePolicy,
  type PortalRateLimiter,
  type PortalRateLimiterOptions,
  type RateLimitPolicy,
  STANDARD_POLICY,
  type TakeResult,
} from './portal-rate-limiter.js';
export {
  createPrismaTokenStore,
  type EncryptedTokenColumns,
  encryptTokenColumns,
  type InstallOutcome,
  type InTransaction,
  type PortalInstall,
  type PrismaTokenStore,
  type PrismaTokenStoreOptions,
  type RevokeOptions,
  type RevokeOutcome,
} from './prisma-token-store.js';
export { batchIsIdempotent, decideRetry, isIdempotentMethod, type RetryDecision } from './retry-policy.js';
export type { PortalCredentials, RotatedTokens, TokenStore } from './token-store.js';
