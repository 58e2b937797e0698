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
export {
  type BatchCommand,
  type BatchOptions,
  type BatchOutcome,
  type CallOptions,
  createPortalClients,
  type PortalClient,
  type PortalClients,
  type PortalClientsDeps,
} from './portal-client.js';
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
  type PrismaTokenStore,
  type PrismaTokenStoreOptions,
} from './prisma-token-store.js';
export { batchIsIdempotent, decideRetry, isIdempotentMethod, type RetryDecision } from './retry-policy.js';
export type { PortalCredentials, RotatedTokens, TokenStore } from './token-store.js';
