/**
 * Display names of portal users, for "decided by" on the card: bounded and expiring (bounded-cache.ts), so a
 * renamed user shows the new name within the TTL. A failed lookup is not cached: the caller shows "User #id" and
 * asks again next time. Concurrent lookups of one user share one call (a burst of clicks by one user spends one
 * slot of the portal's bucket on the name, not one per click).
 */
import { createBoundedCache } from './bounded-cache.js';

export interface UserNameCache {
  get(memberId: string, userId: number, load: () => Promise<string | undefined>): Promise<string | undefined>;
  readonly size: number;
}

export function createUserNameCache(
  opts: { maxEntries?: number; ttlMs?: number; now?: () => number } = {},
): UserNameCache {
  const ttlMs = opts.ttlMs ?? 60 * 60_000;
  const cache = createBoundedCache<{ name: string | undefined }>({
    maxEntries: opts.maxEntries ?? 10_000,
    ...(opts.now ? { now: opts.now } : {}),
  });
  const loading = new Map<string, Promise<string | undefined>>();
  return {
    async get(memberId, userId, load) {
      const key = `${memberId}:${userId}`;
      const hit = cache.get(key);
      if (hit) return hit.name;
      let pending = loading.get(key);
      if (!pending) {
        pending = load()
          .then((name) => {
            cache.set(key, { name }, ttlMs);
            return name;
          })
          .finally(() => loading.delete(key));
        loading.set(key, pending);
      }
      return pending;
    },
    get size() {
      return cache.size;
    },
  };
}
