import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyBucket, type LeakyBucketState, takeFromBucket } from './leaky-bucket.js';

function run(n: number, nowMs: number, state: LeakyBucketState, params = { burst: 50, drainPerSec: 2 }) {
  let s = state;
  let allowed = 0;
  for (let i = 0; i < n; i++) {
    const r = takeFromBucket(s, nowMs, params);
    s = r.state;
    if (r.allowed) allowed++;
  }
  return { allowed, state: s };
}

describe('takeFromBucket', () => {
  it('admits exactly `burst` requests at once, then rejects', () => {
    expect(run(60, 0, emptyBucket(0)).allowed).toBe(50);
  });

  it('drains drainPerSec per second', () => {
    const full = run(50, 0, emptyBucket(0)).state;
    expect(run(10, 1000, full).allowed).toBe(2);
    expect(run(10, 5000, full).allowed).toBe(10);
  });

  it('uses the enterprise preset when given', () => {
    expect(run(300, 0, emptyBucket(0), { burst: 250, drainPerSec: 5 }).allowed).toBe(250);
  });

  it('never admits more than burst + elapsed * drain', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 200 }),
        (burst, drainPerSec, gaps) => {
          let s = emptyBucket(0);
          let now = 0;
          let allowed = 0;
          for (const gap of gaps) {
            now += gap;
            const r = takeFromBucket(s, now, { burst, drainPerSec });
            s = r.state;
            if (r.allowed) allowed++;
          }
          expect(allowed).toBeLessThanOrEqual(burst + Math.floor((now / 1000) * drainPerSec) + 1);
        },
      ),
    );
  });
});
