import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/**
 * Clicks on one activity are processed one at a time. The lease is a Redis key (SET NX PX) renewed
 * while its holder works, so an in-flight click holds no database connection while it waits on
 * Bitrix24, and a crashed holder's lease lapses after `ttlMs` (the same bound as BullMQ's job lock).
 * Release and renewal only touch the key if it still carries the holder's token.
 */
export interface ActivityLease {
  /** Runs `fn` holding the lease, or returns `busy` at once when another worker holds it. */
  run<T>(key: string, fn: () => Promise<T>): Promise<{ busy: true } | { busy: false; value: T }>;
}

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export function createActivityLease(redis: Redis | Cluster, opts: { ttlMs: number; prefix: string }): ActivityLease {
  return {
    async run(key, fn) {
      const k = `${opts.prefix}:activity-lease:${key}`;
      const token = randomUUID();
      const got = await redis.set(k, token, 'PX', opts.ttlMs, 'NX');
      if (got !== 'OK') return { busy: true };
      const renew = setInterval(
        () => {
          redis.eval(RENEW, 1, k, token, String(opts.ttlMs)).catch(() => {});
        },
        Math.max(100, Math.floor(opts.ttlMs / 3)),
      );
      renew.unref();
      try {
        return { busy: false, value: await fn() };
      } finally {
        clearInterval(renew);
        await redis.eval(RELEASE, 1, k, token).catch(() => {});
      }
    },
  };
}
