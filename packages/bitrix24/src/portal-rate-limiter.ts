import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { createPrepaidSlots } from './prepaid-slots.js';

/** A portal's request-intensity limit: Bitrix24's leaky bucket (protocol notes §6.1). */
export interface RateLimitPolicy {
  burst: number;
  drainPerSec: number;
}

export const STANDARD_POLICY: RateLimitPolicy = { burst: 50, drainPerSec: 2 };
export const ENTERPRISE_POLICY: RateLimitPolicy = { burst: 250, drainPerSec: 5 };

export type TakeResult =
  | { ok: true; waitMs: number }
  | { ok: false; retryAfterMs: number; reason: 'bucket' | 'operating' };

export interface PortalRateLimiter {
  /**
   * Reserves the next send slot of the portal's shared bucket. `ok` with `waitMs` = sleep that long, then send
   * (the slot is yours). Not ok when the slot is further away than `maxWaitMs` (default 0) or the method's
   * operating budget is spent: nothing is reserved and `retryAfterMs` says when to come back.
   */
  take(memberId: string, opts?: { method?: string; maxWaitMs?: number }): Promise<TakeResult>;
  /**
   * Reserves the portal's next slot however far away it is (a job then waits for it in the delayed queue) and
   * says in how many ms it is due. Hand it to `prepaid` in the process that will send the request.
   */
  reserve(memberId: string): Promise<{ waitMs: number }>;
  /**
   * A slot reserved earlier (`reserve`), due at `atMs` of this process's clock: the portal's next `take` here
   * within its wait uses it instead of a fresh one (the method's operating budget is still checked).
   */
  prepaid(memberId: string, atMs: number): void;
  /** The portal answered QUERY_LIMIT_EXCEEDED anyway (another app on our IP, a smaller plan): treat the bucket as full. */
  noteExceeded(memberId: string): Promise<void>;
  /** Records `time.operating` / `time.operating_reset_at` (unix seconds) from an answer. */
  noteOperating(memberId: string, method: string, operatingSec: number, resetAt: number): Promise<void>;
  /** The portal answered OPERATION_TIME_LIMIT: block the method for everyone; returns how long (ms). */
  noteOperationLimit(memberId: string, method: string): Promise<number>;
  policyOf(memberId: string): RateLimitPolicy;
  /** Read-only, for metrics: the free slots of each portal's bucket now (the admitted burst when idle). */
  headroom(memberIds: readonly string[]): Promise<Map<string, number>>;
}

export interface PortalRateLimiterOptions {
  policy?: RateLimitPolicy;
  /** Per-portal policy (e.g. Enterprise 250/5); wins over `policy`. */
  policyFor?: (memberId: string) => RateLimitPolicy;
  keyPrefix?: string;
  /**
   * Slots kept free below the portal's burst. Our admission time is not the portal's arrival time: requests
   * admitted apart can arrive bunched (network jitter, a stalled event loop on either side whose timers then
   * fire together), so we stay a little under the real burst. Default: max(1, ceil(drainPerSec / 2)), half a
   * second of bunching: 1 slot of a standard portal's 50, 3 of an Enterprise portal's 250.
   */
  headroom?: (policy: RateLimitPolicy) => number;
  /**
   * Fraction of the portal's drain rate we admit. Below 1, the portal's counter drifts back towards empty during
   * sustained traffic, so bunched arrivals beyond the headroom are absorbed too. Default 1: clicks wait for their
   * slot in the delayed queue and send at it (prepaid slots lapse after the headroom's worth of time), so
   * arrivals bunch by less than the headroom absorbs (bench/limits: ≥ 97 % of the bucket, zero refusals).
   */
  rateFactor?: number;
  /** Per-method operating budget per 10 minutes (protocol notes §6.2). Default 480 s. */
  operatingBudgetSec?: number;
}

/** Pure: the burst we actually admit. */
export function effectiveBurst(policy: RateLimitPolicy, headroom?: (p: RateLimitPolicy) => number): number {
  const keep = headroom ? headroom(policy) : Math.max(1, Math.ceil(policy.drainPerSec / 2));
  return Math.max(1, Math.floor(policy.burst - keep));
}

/**
 * Pure: how long a reserved slot stays good after its time: the time the headroom's slots take to drain, so
 * a late request (arriving with the next slots' ones) still fits in the portal's bucket. At least 100 ms.
 */
export function slotGraceMs(policy: RateLimitPolicy, headroom?: (p: RateLimitPolicy) => number): number {
  const keep = policy.burst - effectiveBurst(policy, headroom);
  return Math.max(100, Math.floor((keep * 1000) / policy.drainPerSec));
}

/** Pure: the bucket we actually enforce, a safety margin under the portal's own. */
export function effectivePolicy(
  policy: RateLimitPolicy,
  opts: Pick<PortalRateLimiterOptions, 'headroom' | 'rateFactor'> = {},
): RateLimitPolicy {
  const factor = Math.min(1, Math.max(0.1, opts.rateFactor ?? 1));
  return { burst: effectiveBurst(policy, opts.headroom), drainPerSec: policy.drainPerSec * factor };
}

// GCRA ("virtual scheduling"), the exact dual of Bitrix24's leaky bucket: level = (tat - now) / interval, and a
// request conforms when level <= burst - 1. Reserving a future slot (wait > 0) lets callers sleep instead of
// polling Redis. The clock is Redis's, so every process shares one time base.
// KEYS: bucket[, operating] (one slot: both carry the portal's hash tag). ARGV: burst, drainPerSec, maxWaitMs,
// operatingLimitMs, prepaid ('1': the slot is already reserved, only the operating budget is checked).
const TAKE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local burst = tonumber(ARGV[1])
local interval = 1000 / tonumber(ARGV[2])
local maxWait = tonumber(ARGV[3])
local opLimit = tonumber(ARGV[4])
if KEYS[2] then
  local op = redis.call('HMGET', KEYS[2], 'operatingMs', 'resetAtMs')
  local used = tonumber(op[1] or '0')
  local resetAt = tonumber(op[2] or '0')
  if used >= opLimit and resetAt > now then
    return {0, math.ceil(resetAt - now + 1000), 1}
  end
end
if ARGV[5] == '1' then
  return {1, 0, 0}
end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - (burst - 1) * interval - now
if wait < 0 then wait = 0 end
if wait > maxWait then
  return {0, math.ceil(wait), 0}
end
local newTat = tat + interval
redis.call('SET', KEYS[1], tostring(newTat), 'PX', math.ceil(newTat - now) + 1000)
return {1, math.ceil(wait), 0}
`;

// KEYS: bucket. ARGV: burst, drainPerSec. Pushes the bucket to full (never lowers it).
const FILL_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = 1000 / tonumber(ARGV[2])
local full = now + tonumber(ARGV[1]) * interval
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < full then
  redis.call('SET', KEYS[1], tostring(full), 'PX', math.ceil(full - now) + 1000)
end
return 1
`;

function scriptRunner(redis: Redis | Cluster, source: string) {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (keys: string[], args: (string | number)[]): Promise<unknown> => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (e instanceof Error && e.message.includes('NOSCRIPT'))
        return redis.eval(source, keys.length, ...keys, ...args);
      throw e;
    }
  };
}

/** Per-portal rate limiter shared by every process through Redis (atomic Lua scripts). */
export function createPortalRateLimiter(
  redis: Redis | Cluster,
  opts: PortalRateLimiterOptions = {},
): PortalRateLimiter {
  const prefix = opts.keyPrefix ?? 'b24:rl';
  const policyOf = (memberId: string) => opts.policyFor?.(memberId) ?? opts.policy ?? STANDARD_POLICY;
  // The SDK keeps the same 5 s safety margin below the budget.
  const operatingLimitMs = Math.max(1000, (opts.operatingBudgetSec ?? 480) * 1000 - 5000);
  // `{memberId}` is a hash tag: a portal's bucket and operating keys share one Redis Cluster slot,
  // so the take script (which reads both) is single-slot; different portals spread over the cluster.
  const bucketKey = (memberId: string) => `${prefix}:{${memberId}}:bucket`;
  const opKey = (memberId: string, method: string) => `${prefix}:{${memberId}}:op:${method.toLowerCase()}`;
  const take = scriptRunner(redis, TAKE_LUA);
  const fill = scriptRunner(redis, FILL_LUA);
  const prepaidSlots = createPrepaidSlots({ graceMs: (m) => slotGraceMs(policyOf(m), opts.headroom) });
  const runTake = (memberId: string, method: string | undefined, maxWaitMs: number, prepaid: boolean) => {
    const policy = effectivePolicy(policyOf(memberId), opts);
    return take(method ? [bucketKey(memberId), opKey(memberId, method)] : [bucketKey(memberId)], [
      policy.burst,
      policy.drainPerSec,
      maxWaitMs,
      operatingLimitMs,
      prepaid ? '1' : '0',
    ]) as Promise<[number, number, number]>;
  };

  return {
    policyOf,

    async headroom(memberIds) {
      const out = new Map<string, number>();
      if (memberIds.length === 0) return out;
      // One GET per key (not MGET, not one pipeline): on a Redis Cluster the buckets live in different
      // slots and nodes. ioredis writes the commands back to back, so this is still one round trip per node.
      const [time, ...tats] = await Promise.all([redis.time(), ...memberIds.map((m) => redis.get(bucketKey(m)))]);
      const [sec, usec] = time ?? [String(Date.now() / 1000), '0'];
      const now = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
      memberIds.forEach((m, i) => {
        const policy = effectivePolicy(policyOf(m), opts);
        const tat = Number(tats[i] ?? 0);
        const level = Math.max(0, tat - now) / (1000 / policy.drainPerSec);
        out.set(m, Math.max(0, policy.burst - level));
      });
      return out;
    },

    async take(memberId, takeOpts = {}) {
      const maxWaitMs = Math.max(0, takeOpts.maxWaitMs ?? 0);
      const slot = prepaidSlots.claim(memberId, maxWaitMs);
      if (slot !== undefined) {
        if (takeOpts.method) {
          const [ok, ms] = await runTake(memberId, takeOpts.method, maxWaitMs, true).catch((e: unknown) => {
            prepaidSlots.add(memberId, slot);
            throw e;
          });
          if (ok !== 1) {
            prepaidSlots.add(memberId, slot); // still reserved: another method of the portal may use it
            return { ok: false, retryAfterMs: ms, reason: 'operating' };
          }
        }
        return { ok: true, waitMs: Math.max(0, slot - Date.now()) };
      }
      const [ok, ms, byOperating] = await runTake(memberId, takeOpts.method, maxWaitMs, false);
      if (ok === 1) return { ok: true, waitMs: ms };
      return { ok: false, retryAfterMs: ms, reason: byOperating === 1 ? 'operating' : 'bucket' };
    },

    async reserve(memberId) {
      // No method: the operating budget is checked when the slot is used.
      const [, ms] = await runTake(memberId, undefined, Number.MAX_SAFE_INTEGER, false);
      return { waitMs: ms };
    },

    prepaid(memberId, atMs) {
      prepaidSlots.add(memberId, atMs);
    },

    async noteExceeded(memberId) {
      const policy = effectivePolicy(policyOf(memberId), opts);
      await fill([bucketKey(memberId)], [policy.burst, policy.drainPerSec]);
    },

    async noteOperating(memberId, method, operatingSec, resetAt) {
      if (!Number.isFinite(operatingSec) || !Number.isFinite(resetAt) || resetAt <= 0) return;
      const key = opKey(memberId, method);
      const resetAtMs = Math.round(resetAt * 1000);
      await redis
        .multi()
        .hset(key, 'operatingMs', Math.round(operatingSec * 1000), 'resetAtMs', resetAtMs)
        .pexpireat(key, resetAtMs + 1000)
        .exec();
    },

    async noteOperationLimit(memberId, method) {
      const key = opKey(memberId, method);
      const known = Number((await redis.hget(key, 'resetAtMs')) ?? 0);
      // Without a known reset time, assume the oldest one-minute basket leaves within a minute.
      const resetAtMs = known > Date.now() ? known : Date.now() + 60_000;
      await redis
        .multi()
        .hset(key, 'operatingMs', operatingLimitMs, 'resetAtMs', resetAtMs)
        .pexpireat(key, resetAtMs + 1000)
        .exec();
      return resetAtMs - Date.now() + 1000;
    },
  };
}
