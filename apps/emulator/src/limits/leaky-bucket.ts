// Bitrix24's request-intensity limiter: every request adds 1 to a per-portal counter that drains
// `drainPerSec` per second; once the counter has reached `burst`, requests answer 503 QUERY_LIMIT_EXCEEDED.
// Pure: the caller keeps the state and passes the clock.

export interface LeakyBucketParams {
  burst: number;
  drainPerSec: number;
}

export interface LeakyBucketState {
  level: number;
  updatedAtMs: number;
}

export const STANDARD_LIMITS: LeakyBucketParams = { burst: 50, drainPerSec: 2 };
export const ENTERPRISE_LIMITS: LeakyBucketParams = { burst: 250, drainPerSec: 5 };

export function emptyBucket(nowMs: number): LeakyBucketState {
  return { level: 0, updatedAtMs: nowMs };
}

function drained(state: LeakyBucketState, nowMs: number, params: LeakyBucketParams): number {
  const elapsedSec = Math.max(0, nowMs - state.updatedAtMs) / 1000;
  return Math.max(0, state.level - elapsedSec * params.drainPerSec);
}

/** Admits one request if the counter has room; rejected requests do not fill the bucket. */
export function takeFromBucket(
  state: LeakyBucketState,
  nowMs: number,
  params: LeakyBucketParams,
): { allowed: boolean; state: LeakyBucketState } {
  const level = drained(state, nowMs, params);
  // a tiny epsilon keeps float drift from rejecting the exact `burst`-th request
  if (level + 1 > params.burst + 1e-9) return { allowed: false, state: { level, updatedAtMs: nowMs } };
  return { allowed: true, state: { level: level + 1, updatedAtMs: nowMs } };
}
