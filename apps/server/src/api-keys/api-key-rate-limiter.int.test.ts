import { randomUUID } from 'node:crypto';
import { createRedis } from '@b24app/jobs';
import { TEST_REDIS_URL } from '@b24app/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyRateLimiter } from './api-key-rate-limiter.js';

const redis = createRedis(TEST_REDIS_URL, 'producer');
// Counted in Redis only once connected (before that, each limiter counts in memory: the last test).
beforeAll(async () => {
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
});
afterAll(async () => {
  await redis.quit();
});

const takeMany = async (take: () => Promise<{ ok: boolean }>, n: number) => {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await take());
  return out;
};

describe('the per-key rate limit (Redis)', () => {
  it('admits the rate plus the burst, then refuses with a wait under a second; another key is unaffected', async () => {
    const limiter = createApiKeyRateLimiter(redis, { perSecond: 4, burst: 6, keyPrefix: `test:${randomUUID()}` });
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 20 }, () => limiter.take(key)));
    const admitted = results.filter((r) => r.ok).length;
    // One 1 s window of 4 and the 10 s burst of 6; a window boundary inside the batch admits at most 4 more.
    expect(admitted).toBeGreaterThanOrEqual(10);
    expect(admitted).toBeLessThanOrEqual(14);
    for (const r of results) {
      if (!r.ok) {
        expect(r.retryAfterMs).toBeGreaterThan(0);
        expect(r.retryAfterMs).toBeLessThanOrEqual(1000);
      }
    }
    expect(await limiter.take(randomUUID())).toEqual({ ok: true });
  });

  it('two limiters on one Redis (two replicas) share a key’s count', async () => {
    const prefix = `test:${randomUUID()}`;
    const one = createApiKeyRateLimiter(redis, { perSecond: 3, burst: 0, keyPrefix: prefix });
    const two = createApiKeyRateLimiter(redis, { perSecond: 3, burst: 0, keyPrefix: prefix });
    // What one replica spent, the other sees: its next take is refused. (A 1 s window may end between the two;
    // a fresh key then tries again: counting apart, the second replica would never be refused.)
    const refusedOnTheOther = async () => {
      const key = randomUUID();
      await takeMany(() => one.take(key), 3);
      return !(await two.take(key)).ok;
    };
    expect((await refusedOnTheOther()) || (await refusedOnTheOther()) || (await refusedOnTheOther())).toBe(true);
  });

  it('while Redis is away it still limits, in memory, instead of failing or letting everything through', async () => {
    const away = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, enableOfflineQueue: false });
    const limiter = createApiKeyRateLimiter(away, { perSecond: 2, burst: 1 });
    const results = await takeMany(() => limiter.take('k'), 6);
    expect(results.filter((r) => r.ok).length).toBeGreaterThanOrEqual(3);
    expect(results.filter((r) => !r.ok).length).toBeGreaterThan(0);
    away.disconnect();
  });
});
