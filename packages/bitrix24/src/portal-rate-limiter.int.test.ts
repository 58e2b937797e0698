import { randomMemberId, TEST_REDIS_URL } from '@b24app/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createPortalRateLimiter,
  effectiveBurst,
  effectivePolicy,
  type RateLimitPolicy,
} from './portal-rate-limiter.js';

// Three connections stand for three processes sharing one Redis.
const conns = [new Redis(TEST_REDIS_URL), new Redis(TEST_REDIS_URL), new Redis(TEST_REDIS_URL)];
afterAll(() => Promise.all(conns.map((c) => c.quit())));
const redis = conns[0] as Redis;

// The portal's exact bucket, no safety margin: for tests that check the arithmetic.
const exact = { headroom: () => 0, rateFactor: 1 };
const prefix = () => `test:rl:${randomMemberId()}`;

/** Bitrix24's rule, as documented: +1 per request, drains `drainPerSec`, refused when the counter would exceed `burst`. */
function portalRejections(sendTimesMs: number[], policy: RateLimitPolicy): number {
  let level = 0;
  let last = 0;
  let rejected = 0;
  for (const t of [...sendTimesMs].sort((a, b) => a - b)) {
    level = Math.max(0, level - ((t - last) / 1000) * policy.drainPerSec);
    last = t;
    if (level + 1 > policy.burst + 1e-9) rejected += 1;
    else level += 1;
  }
  return rejected;
}

describe('portal rate limiter (Redis)', () => {
  it('admits a burst, then says how long to wait without reserving anything', async () => {
    const limiter = createPortalRateLimiter(redis, {
      policy: { burst: 10, drainPerSec: 10 },
      ...exact,
      keyPrefix: prefix(),
    });
    const m = randomMemberId();
    const first = await Promise.all(Array.from({ length: 10 }, () => limiter.take(m)));
    expect(first.every((r) => r.ok && r.waitMs === 0)).toBe(true);
    const refused = await limiter.take(m);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.reason).toBe('bucket');
      expect(refused.retryAfterMs).toBeGreaterThan(50);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(100);
    }
    // A refusal reserved nothing: once the wait it named has passed, one more request fits (that wait is
    // what is tested: the limiter's clock is Redis's, so it is real time).
    await new Promise((r) => setTimeout(r, refused.ok ? 0 : refused.retryAfterMs));
    expect((await limiter.take(m)).ok).toBe(true);
  });

  it('reserves future slots one drain interval apart when the caller accepts a wait', async () => {
    const limiter = createPortalRateLimiter(redis, {
      policy: { burst: 5, drainPerSec: 20 },
      ...exact,
      keyPrefix: prefix(),
    });
    const m = randomMemberId();
    const waits: number[] = [];
    for (let i = 0; i < 15; i += 1) {
      const r = await limiter.take(m, { maxWaitMs: 2000 });
      expect(r.ok).toBe(true);
      if (r.ok) waits.push(r.waitMs);
    }
    expect(waits.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    // The k-th request beyond the burst waits about k × 50 ms (minus the little time the loop took).
    for (let k = 1; k <= 10; k += 1) {
      const w = waits[4 + k] ?? -1;
      expect(w).toBeGreaterThan(k * 50 - 30);
      expect(w).toBeLessThanOrEqual(k * 50 + 1);
    }
    // Beyond maxWaitMs: refused, with the time until a slot.
    const refused = await limiter.take(m, { maxWaitMs: 100 });
    expect(refused).toMatchObject({ ok: false, reason: 'bucket' });
  });

  it('three processes together never exceed the portal bucket and use nearly all of it', async () => {
    const policy = { burst: 30, drainPerSec: 40 };
    const keyPrefix = prefix();
    const limiters = conns.map((c) => createPortalRateLimiter(c, { policy, keyPrefix }));
    const m = randomMemberId();
    const started = Date.now();
    const sendTimes = await Promise.all(
      Array.from({ length: 150 }, async (_, i) => {
        const limiter = limiters[i % 3];
        if (!limiter) throw new Error('no limiter');
        const r = await limiter.take(m, { maxWaitMs: 10_000 });
        if (!r.ok) throw new Error('refused');
        await new Promise((res) => setTimeout(res, r.waitMs)); // a caller obeys the wait it was given
        return Date.now();
      }),
    );
    expect(portalRejections(sendTimes, policy)).toBe(0);
    const elapsed = (Math.max(...sendTimes) - started) / 1000;
    const ideal = (150 - policy.burst) / policy.drainPerSec; // what the portal itself would allow
    expect(elapsed).toBeGreaterThanOrEqual(ideal * 0.95);
    // Default margin (20 of 30 burst slots: half a second at 40/s) costs a bounded share of throughput.
    const own = effectivePolicy(policy);
    expect(elapsed).toBeLessThan(((150 - own.burst) / own.drainPerSec) * 1.15);
    expect(ideal / elapsed).toBeGreaterThan(0.7);
  });

  it('keeps a safety margin under the portal bucket by default', () => {
    expect(effectiveBurst({ burst: 50, drainPerSec: 2 })).toBe(49);
    expect(effectiveBurst({ burst: 250, drainPerSec: 5 })).toBe(247);
    expect(effectiveBurst({ burst: 20, drainPerSec: 40 })).toBe(1);
    expect(effectiveBurst({ burst: 20, drainPerSec: 25 })).toBe(7);
    expect(effectivePolicy({ burst: 50, drainPerSec: 2 })).toEqual({ burst: 49, drainPerSec: 2 });
    expect(effectivePolicy({ burst: 50, drainPerSec: 2 }, { rateFactor: 0.9 })).toEqual({
      burst: 49,
      drainPerSec: 1.8,
    });
    expect(effectivePolicy({ burst: 50, drainPerSec: 2 }, exact)).toEqual({ burst: 50, drainPerSec: 2 });
    // A request may go out as late after its slot as the kept slots take to drain (at least 50 ms).
    const slack = (policy: RateLimitPolicy, o = {}) => createPortalRateLimiter(redis, { policy, ...o }).slackMs('m');
    expect(slack({ burst: 50, drainPerSec: 2 })).toBe(500);
    expect(slack({ burst: 50, drainPerSec: 10 })).toBe(500);
    expect(slack({ burst: 250, drainPerSec: 5 })).toBe(600);
    expect(slack({ burst: 50, drainPerSec: 10 }, exact)).toBe(50);
  });

  it('gives out places in the admission schedule one drain interval apart, however far away', async () => {
    const limiter = createPortalRateLimiter(redis, {
      policy: { burst: 3, drainPerSec: 10 },
      ...exact,
      keyPrefix: prefix(),
    });
    const m = randomMemberId();
    const waits: number[] = [];
    for (let i = 0; i < 30; i += 1) waits.push((await limiter.reserve(m)).waitMs);
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    // The 30th place is 2.7 s away: beyond any wait a take accepts, given out all the same.
    for (let k = 1; k <= 27; k += 1) {
      expect(waits[2 + k]).toBeGreaterThan(k * 100 - 40);
      expect(waits[2 + k]).toBeLessThanOrEqual(k * 100 + 1);
    }
    // A place is not a slot: the bucket itself is untouched until requests take it.
    expect(await limiter.take(m)).toEqual({ ok: true, waitMs: 0 });
  });

  it('the schedule starts where the bucket is, and jobs that follow it find their slot free', async () => {
    const policy = { burst: 4, drainPerSec: 20 };
    const keyPrefix = prefix();
    // One process schedules (the click producer), another takes (the worker).
    const producer = createPortalRateLimiter(conns[1] as Redis, { policy, ...exact, keyPrefix });
    const worker = createPortalRateLimiter(redis, { policy, ...exact, keyPrefix });
    const m = randomMemberId();
    for (let i = 0; i < 4; i += 1) expect((await worker.take(m)).ok).toBe(true); // the bucket is full
    const started = Date.now();
    const places = [];
    for (let i = 0; i < 12; i += 1) places.push((await producer.reserve(m)).waitMs);
    // The first place is a drain interval away (the bucket was full), then one interval apart.
    expect(places[0]).toBeGreaterThan(20);
    expect(places[0]).toBeLessThanOrEqual(50);
    expect((places[11] ?? 0) - (places[0] ?? 0)).toBeGreaterThan(11 * 50 - 30);
    // Each job comes back at its place and takes a slot at once (no wait beyond a few ms of drift), and the
    // portal sees no more than its bucket allows.
    const sendTimes = await Promise.all(
      places.map(async (wait) => {
        await new Promise((r) => setTimeout(r, wait - (Date.now() - started)));
        const r = await worker.take(m, { maxWaitMs: 250 });
        if (!r.ok) throw new Error('refused at its place');
        expect(r.waitMs).toBeLessThan(60);
        await new Promise((res) => setTimeout(res, r.waitMs));
        return Date.now();
      }),
    );
    expect(portalRejections(sendTimes, policy)).toBe(0);
  });

  it('treats the bucket as full after the portal said QUERY_LIMIT_EXCEEDED', async () => {
    const limiter = createPortalRateLimiter(redis, {
      policy: { burst: 50, drainPerSec: 10 },
      ...exact,
      keyPrefix: prefix(),
    });
    const m = randomMemberId();
    expect(await limiter.take(m)).toEqual({ ok: true, waitMs: 0 });
    await limiter.noteExceeded(m);
    const r = await limiter.take(m);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.retryAfterMs).toBeGreaterThan(50);
  });

  it('blocks a method whose operating budget is spent until its reset, leaving other methods alone', async () => {
    const limiter = createPortalRateLimiter(redis, { keyPrefix: prefix(), operatingBudgetSec: 480 });
    const m = randomMemberId();
    const resetAt = Math.floor(Date.now() / 1000) + 3;
    await limiter.noteOperating(m, 'crm.activity.list', 100, resetAt);
    expect((await limiter.take(m, { method: 'crm.activity.list' })).ok).toBe(true);

    await limiter.noteOperating(m, 'crm.activity.list', 476, resetAt);
    const blocked = await limiter.take(m, { method: 'CRM.ACTIVITY.LIST', maxWaitMs: 10_000 });
    expect(blocked).toMatchObject({ ok: false, reason: 'operating' });
    if (!blocked.ok) {
      expect(blocked.retryAfterMs).toBeGreaterThan(1000);
      expect(blocked.retryAfterMs).toBeLessThanOrEqual(4100);
    }
    expect((await limiter.take(m, { method: 'crm.activity.get' })).ok).toBe(true);

    const waitMs = await limiter.noteOperationLimit(m, 'crm.deal.list');
    expect(waitMs).toBeGreaterThan(1000);
    expect(await limiter.take(m, { method: 'crm.deal.list' })).toMatchObject({ ok: false, reason: 'operating' });
  });

  it('uses the per-portal policy when given', async () => {
    const enterprise = randomMemberId();
    const limiter = createPortalRateLimiter(redis, {
      keyPrefix: prefix(),
      ...exact,
      policyFor: (id) => (id === enterprise ? { burst: 4, drainPerSec: 1 } : { burst: 2, drainPerSec: 1 }),
    });
    const standard = randomMemberId();
    const count = async (m: string) => {
      let n = 0;
      while ((await limiter.take(m)).ok) n += 1;
      return n;
    };
    expect(await count(enterprise)).toBe(4);
    expect(await count(standard)).toBe(2);
  });
});
