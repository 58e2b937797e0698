/**
 * Display names of portal users, for "decided by" on the card: bounded (least recently used goes first) and
 * expiring (a renamed user shows the new name within the TTL). A miss is not cached as a failure: the caller
 * shows "User #id" and asks again next time.
 */
export interface UserNameCache {
  get(memberId: string, userId: number, load: () => Promise<string | undefined>): Promise<string | undefined>;
  readonly size: number;
}

export function createUserNameCache(
  opts: { maxEntries?: number; ttlMs?: number; now?: () => number } = {},
): UserNameCache {
  const maxEntries = opts.maxEntries ?? 10_000;
  const ttlMs = opts.ttlMs ?? 60 * 60_000;
  const now = opts.now ?? Date.now;
  // A Map iterates in insertion order: re-inserting on a hit makes its first key the least recently used.
  const entries = new Map<string, { name: string | undefined; expiresAt: number }>();

  return {
    async get(memberId, userId, load) {
      const key = `${memberId}:${userId}`;
      const hit = entries.get(key);
      if (hit && hit.expiresAt > now()) {
        entries.delete(key);
        entries.set(key, hit);
        return hit.name;
      }
      entries.delete(key);
      const name = await load();
      entries.set(key, { name, expiresAt: now() + ttlMs });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
      return name;
    },
    get size() {
      return entries.size;
    },
  };
}
