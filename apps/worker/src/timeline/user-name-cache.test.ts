import { describe, expect, it } from 'vitest';
import { createUserNameCache } from './user-name-cache.js';

describe('user-name cache', () => {
  it('asks once per user while the entry is fresh, again after it expires', async () => {
    let t = 0;
    let calls = 0;
    const cache = createUserNameCache({ ttlMs: 1_000, now: () => t });
    const load = async () => `name ${++calls}`;
    expect(await cache.get('m', 1, load)).toBe('name 1');
    t = 999;
    expect(await cache.get('m', 1, load)).toBe('name 1');
    t = 1_000;
    expect(await cache.get('m', 1, load)).toBe('name 2');
    expect(calls).toBe(2);
  });

  it('keeps portals apart', async () => {
    const cache = createUserNameCache();
    expect(await cache.get('a', 1, async () => 'Ann')).toBe('Ann');
    expect(await cache.get('b', 1, async () => 'Bob')).toBe('Bob');
  });

  it('is bounded: the least recently used entry goes first', async () => {
    const cache = createUserNameCache({ maxEntries: 2 });
    const loads: number[] = [];
    const load = (id: number) => async () => {
      loads.push(id);
      return `u${id}`;
    };
    await cache.get('m', 1, load(1));
    await cache.get('m', 2, load(2));
    await cache.get('m', 1, load(1)); // 1 is now the most recent
    await cache.get('m', 3, load(3)); // evicts 2
    expect(cache.size).toBe(2);
    await cache.get('m', 1, load(1));
    await cache.get('m', 2, load(2));
    expect(loads).toEqual([1, 2, 3, 2]);
  });

  it('concurrent lookups of one user share one call, and a failure is shared but not kept', async () => {
    const cache = createUserNameCache();
    let calls = 0;
    let release: (name: string) => void = () => {};
    const load = () => {
      calls++;
      return new Promise<string>((r) => {
        release = r;
      });
    };
    const all = Promise.all([cache.get('m', 1, load), cache.get('m', 1, load), cache.get('m', 1, load)]);
    release('Ann');
    expect(await all).toEqual(['Ann', 'Ann', 'Ann']);
    expect(calls).toBe(1);

    const failing = async () => {
      calls++;
      throw new Error('portal busy');
    };
    const both = await Promise.allSettled([cache.get('m', 2, failing), cache.get('m', 2, failing)]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(2);
    expect(await cache.get('m', 2, async () => 'Bob')).toBe('Bob');
  });

  it('does not cache a failed lookup', async () => {
    const cache = createUserNameCache();
    await expect(
      cache.get('m', 1, async () => {
        throw new Error('portal busy');
      }),
    ).rejects.toThrow('portal busy');
    expect(cache.size).toBe(0);
    expect(await cache.get('m', 1, async () => 'Ann')).toBe('Ann');
  });
});
