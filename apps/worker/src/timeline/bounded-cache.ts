/**
 * A per-process cache that cannot grow without bound: each entry expires at its own time, and past
 * `maxEntries` the least recently used goes first. The worker's caches (user names, proven clicking users) use it.
 */
export interface BoundedCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V, ttlMs: number): void;
  readonly size: number;
}

export function createBoundedCache<V>(opts: { maxEntries: number; now?: () => number }): BoundedCache<V> {
  const now = opts.now ?? Date.now;
  // A Map iterates in insertion order: re-inserting on a hit makes its first key the least recently used.
  const entries = new Map<string, { value: V; expiresAt: number }>();
  return {
    get(key) {
      const hit = entries.get(key);
      if (!hit) return undefined;
      entries.delete(key);
      if (hit.expiresAt <= now()) return undefined;
      entries.set(key, hit);
      return hit.value;
    },
    set(key, value, ttlMs) {
      if (ttlMs <= 0) return;
      entries.delete(key);
      entries.set(key, { value, expiresAt: now() + ttlMs });
      while (entries.size > opts.maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    get size() {
      return entries.size;
    },
  };
}
