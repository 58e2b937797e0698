/**
 * When to try a failed callback again: exponential from 10 s, doubling, capped at one hour, with full jitter
 * (a receiver that comes back is not hit by every delivery at once). Deliveries keep being retried until
 * `RETRY_WINDOW_MS` after the first attempt: at least 24 h, as the contract promises.
 */
export const RETRY_WINDOW_MS = 26 * 60 * 60 * 1000;
const FIRST_MS = 10_000;
const CAP_MS = 60 * 60 * 1000;

/**
 * The delay before attempt `attempt + 1` (attempt ≥ 1), with `random` in [0, 1). `firstMs`: the first ceiling
 * (tests shorten it; production keeps 10 s).
 */
export function callbackRetryDelayMs(
  attempt: number,
  random: () => number = Math.random,
  firstMs: number = FIRST_MS,
): number {
  const ceiling = Math.min(CAP_MS, firstMs * 2 ** Math.max(0, attempt - 1));
  // Never sooner than half the ceiling: jitter spreads the retries without letting them collapse to zero.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Whether a delivery first tried at `firstAttemptAt` may still be retried at `now`. */
export const withinRetryWindow = (firstAttemptAt: number, now: number): boolean =>
  now - firstAttemptAt < RETRY_WINDOW_MS;
