import { createRedis } from '@b24app/jobs';
import { TEST_REDIS_URL, waitFor } from '@b24app/testing';
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
    let refused = 0;
    const work = () =>
      lease
        .run('p:1', async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await waitFor(() => refused > 0, { what: 'the other caller refused' }); // hold until it has tried
          inside--;
          return 'done';
        })
        .then((r) => {
          if (r.busy) refused++;
          return r;
        });
    const [a, b] = await Promise.all([work(), work()]);
    expect([a.busy, b.busy].sort()).toEqual([false, true]);
    expect(maxInside).toBe(1);
    expect(await work()).toEqual({ busy: false, value: 'done' }); // released
  });

  it('renews while the holder works longer than the ttl', async () => {
    const lease = createActivityLease(redis, { ttlMs: 300, prefix });
    let finish: (v: string) => void = () => {};
    const long = lease.run('p:2', () => new Promise<string>((r) => (finish = r)));
    // renewed four times (its PTTL went back up): the key has outlived its 300 ms ttl
    let last = Number.POSITIVE_INFINITY;
    let renewals = 0;
    await waitFor(
      async () => {
        const ttl = await redis.pttl(`${prefix}:activity-lease:p:2`);
        if (ttl > last) renewals++;
        last = ttl;
        return renewals >= 4;
      },
      { what: 'four renewals', stepMs: 20 },
    );
    expect((await lease.run('p:2', async () => 'intruder')).busy).toBe(true);
    finish('ok');
    expect(await long).toEqual({ busy: false, value: 'ok' });
  });

  it("a crashed holder's lease lapses after the ttl, and nobody deletes another holder's lease", async () => {
    const lease = createActivityLease(redis, { ttlMs: 300, prefix });
    await redis.set(`${prefix}:activity-lease:p:3`, 'crashed-worker', 'PX', 300);
    expect((await lease.run('p:3', async () => 1)).busy).toBe(true);
    expect(await redis.get(`${prefix}:activity-lease:p:3`)).toBe('crashed-worker'); // not released by the loser
    await waitFor(async () => (await redis.exists(`${prefix}:activity-lease:p:3`)) === 0, {
      what: 'the lease lapsing',
    });
    expect(await lease.run('p:3', async () => 2)).toEqual({ busy: false, value: 2 });
  });
});
