import { createRedis } from '@b24app/jobs';
import { TEST_REDIS_URL } from '@b24app/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createActivityLease } from './activity-lease.js';

const redis = createRedis(TEST_REDIS_URL, 'worker');
afterAll(() => redis.quit());
const prefix = `lease-test-${process.pid}-${Date.now()}`;

describe('activity lease (Redis)', () => {
  it('lets one holder in at a time and releases after the work', async () => {
    const lease = createActivityLease(redis, { ttlMs: 2_000, prefix });
    let inside = 0;
    let maxInside = 0;
    const work = () =>
      lease.run('p:1', async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await new Promise((r) => setTimeout(r, 100));
        inside--;
        return 'done';
      });
    const [a, b] = await Promise.all([work(), work()]);
    expect([a.busy, b.busy].sort()).toEqual([false, true]);
    expect(maxInside).toBe(1);
    expect(await work()).toEqual({ busy: false, value: 'done' }); // released
  });

  it('renews while the holder works longer than the ttl', async () => {
    const lease = createActivityLease(redis, { ttlMs: 300, prefix });
    const long = lease.run('p:2', () => new Promise((r) => setTimeout(() => r('ok'), 900)));
    await new Promise((r) => setTimeout(r, 600));
    expect((await lease.run('p:2', async () => 'intruder')).busy).toBe(true);
    expect(await long).toEqual({ busy: false, value: 'ok' });
  });

  it("a crashed holder's lease lapses after the ttl, and nobody deletes another holder's lease", async () => {
    const lease = createActivityLease(redis, { ttlMs: 300, prefix });
    await redis.set(`${prefix}:activity-lease:p:3`, 'crashed-worker', 'PX', 300);
    expect((await lease.run('p:3', async () => 1)).busy).toBe(true);
    expect(await redis.get(`${prefix}:activity-lease:p:3`)).toBe('crashed-worker'); // not released by the loser
    await new Promise((r) => setTimeout(r, 350));
    expect(await lease.run('p:3', async () => 2)).toEqual({ busy: false, value: 2 });
  });
});
