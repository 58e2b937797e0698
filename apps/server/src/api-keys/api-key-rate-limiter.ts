/**
 * Our own limit per portal API key on /api/v1 (not the portal's Bitrix24 bucket): a client that floods us is
 * answered 429 API_RATE_LIMITED with Retry-After. Shared by every replica through Redis (rate-limiter-flexible:
 * a 1 s window of `perSecond` requests, and above it a burst allowance of `burst` requests per 10 s window).
 * While Redis is away each replica keeps the same limit in memory, so the API neither stalls nor opens wide.
 */
import type { RedisConnection } from '@b24app/jobs';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export type ApiKeyTake = { ok: true } | { ok: false; retryAfterMs: number };

export interface ApiKeyRateLimiter {
  take(keyId: string): Promise<ApiKeyTake>;
}

const BURST_WINDOW_SEC = 10;

export function createApiKeyRateLimiter(
  redis: RedisConnection,
  opts: { perSecond: number; burst: number; keyPrefix?: string },
): ApiKeyRateLimiter {
  // Keys are single (one per key id and window), so they spread over a Redis Cluster's slots.
  const prefix = opts.keyPrefix ?? 'b24:api-rl';
  const windowed = (name: string, points: number, duration: number) =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:${name}`,
      points,
      duration,
      // Fail over to the in-memory limiter at once instead of waiting for a Redis that is not there.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${prefix}:${name}`, points, duration }),
    });
  const limiter = new BurstyRateLimiter(
    windowed('rate', opts.perSecond, 1),
    windowed('burst', opts.burst, BURST_WINDOW_SEC),
  );
  return {
    async take(keyId) {
      try {
        await limiter.consume(keyId);
        return { ok: true };
      } catch (e) {
        if (e instanceof RateLimiterRes) return { ok: false, retryAfterMs: Math.max(1, e.msBeforeNext) };
        throw e;
      }
    },
  };
}
