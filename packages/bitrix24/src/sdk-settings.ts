import { type B24OAuthParams, EnumAppStatus, ParamsFactory, type RestrictionParams } from '@bitrix24/b24jssdk';
import type { PortalCredentials } from './token-store.js';

/**
 * The SDK's own throttling and retries, switched off on purpose: its limiter is per instance and in memory, so
 * with several processes it cannot keep a portal under its limit, and its retries would resend `*.add` calls.
 * The shared Redis limiter and `decideRetry` own that policy instead.
 *
 * Every nested object is complete: a partial nested config makes the SDK compute NaN and silently disables it,
 * and `setRestrictionManagerParams` replaces rather than merges (b24jssdk notes §3.3), so this is only ever
 * passed to the constructor.
 */
export function sdkRestrictionParams(): RestrictionParams {
  const defaults = ParamsFactory.getDefault();
  return {
    ...defaults,
    // Never the bottleneck: the Redis bucket admits every request before axios sends it.
    rateLimit: { burstLimit: 1_000_000, drainRate: 1_000_000, adaptiveEnabled: false },
    // Never blocks in-process: the operating budget is tracked in Redis and answered with RATE_LIMITED.
    operatingLimit: { windowMs: 600_000, limitMs: Number.MAX_SAFE_INTEGER, heavyPercent: 100 },
    adaptiveConfig: { enabled: false, thresholdPercent: 100, coefficient: 0, maxDelay: 0 },
    // One attempt per `call.make`; the 401 → refresh → replay-once path is separate and stays on.
    maxRetries: 1,
    retryDelay: 0,
    retryOnNetworkError: false,
  };
}

/** `https://x/rest/` → `https://x/rest`: the SDK appends `/{method}` and would otherwise post to `/rest//method`. */
export const sdkClientEndpoint = (clientEndpoint: string) => clientEndpoint.replace(/\/+$/, '');

export function toB24OAuthParams(c: PortalCredentials): B24OAuthParams {
  return {
    applicationToken: '', // unused by the SDK; we never hand it out
    userId: 0,
    memberId: c.memberId,
    accessToken: c.accessToken,
    refreshToken: c.refreshToken,
    expires: c.expiresAt,
    expiresIn: Math.max(0, c.expiresAt - Math.floor(Date.now() / 1000)),
    scope: c.scope,
    domain: c.domain,
    clientEndpoint: sdkClientEndpoint(c.clientEndpoint),
    serverEndpoint: c.serverEndpoint,
    status: EnumAppStatus.Free,
    issuer: 'store',
  };
}

/** What `setCustomRefreshAuth` must resolve with (all strings). Endpoints stay the stored, trusted ones. */
export function toHandlerRefreshAuth(c: PortalCredentials) {
  return {
    access_token: c.accessToken,
    refresh_token: c.refreshToken,
    expires: String(c.expiresAt),
    expires_in: String(Math.max(0, c.expiresAt - Math.floor(Date.now() / 1000))),
    client_endpoint: sdkClientEndpoint(c.clientEndpoint),
    server_endpoint: c.serverEndpoint,
    member_id: c.memberId,
    scope: c.scope,
    status: EnumAppStatus.Free,
    domain: c.domain,
  };
}
