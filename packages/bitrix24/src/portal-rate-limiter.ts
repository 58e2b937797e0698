import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

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
   * A place in the portal's admission schedule: how many ms until its bucket has a slot for one more request
   * after every request admitted so far (taken, or scheduled by earlier `reserve` calls), however far away.
   * The caller's job waits that long in the delayed queue, then takes its slot as usual. Successive calls are
   * one drain interval apart, so waiting jobs come back at the bucket's rate, not all together.
   */
  reserve(memberId: string): Promise<{ waitMs: number }>;
  /** The portal answered QUERY_LIMIT_EXCEEDED anyway (another app on our IP, a smaller plan): treat the bucket as full. */
  noteExceeded(memberId: string): Promise<void>;
  /** Records `time.operating` / `time.operating_reset_at` (unix seconds) from an answer. */
  noteOperating(memberId: string, method: string, operatingSec: number, resetAt: number): Promise<void>;
  /** The portal answered OPERATION_TIME_LIMIT: block the method for everyone; returns how long (ms). */
  noteOperationLimit(memberId: string, method: string): Promise<number>;
  policyOf(memberId: string): RateLimitPolicy;
  /**
   * How late after its slot a request may still go out: the time the headroom's kept slots take to drain
   * (at least 50 ms). A later one could arrive bunched with the next slots' requests and takes a fresh slot.
   */
  slackMs(memberId: string): number;
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
   * place in the delayed queue instead of sleeping in worker slots, so a slot is taken just before its request
   * is sent and arrivals bunch by less than the headroom absorbs (bench/limits).
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
// KEYS: bucket[, operating] (one slot: both carry the portal's hash tag). ARGV: burst, drainPerSec, maxWaitMs, operatingLimitMs.
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

// The admission schedule: a second virtual-scheduling clock beside the bucket's, never behind it, advanced one
// drain interval per place given out. It orders waiting jobs; the bucket itself is only taken at send time.
// KEYS: bucket, schedule (one slot). ARGV: burst, drainPerSec. Returns the wait in ms.
const SCHEDULE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local burst = tonumber(ARGV[1])
local interval = 1000 / tonumber(ARGV[2])
local q = tonumber(redis.call('GET', KEYS[2]) or '0')
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if q < tat then q = tat end
if q < now then q = now end
local wait = q - (burst - 1) * interval - now
if wait < 0 then wait = 0 end
local newQ = q + interval
redis.call('SET', KEYS[2], tostring(newQ), 'PX', math.ceil(newQ - now) + 1000)
return math.ceil(wait)
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
  const scheduleKey = (memberId: string) => `${prefix}:{${memberId}}:schedule`;
  const opKey = (memberId: string, method: string) => `${prefix}:{${memberId}}:op:${method.toLowerCase()}`;
  const take = scriptRunner(redis, TAKE_LUA);
  const fill = scriptRunner(redis, FILL_LUA);
  const schedule = scriptRunner(redis, SCHEDULE_LUA);

  return {
    policyOf,

    slackMs(memberId) {
      const policy = policyOf(memberId);
      const keep = policy.burst - effectiveBurst(policy, opts.headroom);
      return Math.max(50, Math.floor((keep * 1000) / policy.drainPerSec));
    },

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
      const policy = effectivePolicy(policyOf(memberId), opts);
      const [ok, ms, byOperating] = (await take(
        takeOpts.method ? [bucketKey(memberId), opKey(memberId, takeOpts.method)] : [bucketKey(memberId)],
        [policy.burst, policy.drainPerSec, Math.max(0, takeOpts.maxWaitMs ?? 0), operatingLimitMs],
      )) as [number, number, number];
      if (ok === 1) return { ok: true, waitMs: ms };
      return { ok: false, retryAfterMs: ms, reason: byOperating === 1 ? 'operating' : 'bucket' };
    },

    async reserve(memberId) {
      const policy = effectivePolicy(policyOf(memberId), opts);
      const ms = (await schedule(
        [bucketKey(memberId), scheduleKey(memberId)],
        [policy.burst, policy.drainPerSec],
      )) as number;
      return { waitMs: ms };
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
