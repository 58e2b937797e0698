// Bitrix24's resource-intensity limiter: the execution time of one method for one app (or webhook) is
// summed over a rolling 10 minutes kept as ten one-minute baskets. Once the sum exceeds the budget,
// the next call of that method answers 429 OPERATION_TIME_LIMIT. Pure; the caller owns the state.

export const OPERATING_WINDOW_MS = 600_000;
const BASKET_MS = 60_000;

export interface OperatingBasket {
  startMs: number;
  seconds: number;
}

export type OperatingState = OperatingBasket[];

function live(state: OperatingState, nowMs: number): OperatingState {
  return state.filter((b) => b.startMs + OPERATING_WINDOW_MS > nowMs);
}

export function operatingTotal(state: OperatingState, nowMs: number): number {
  return live(state, nowMs).reduce((sum, b) => sum + b.seconds, 0);
}

/** Unix seconds at which the oldest live basket drops out (now + 10 min when nothing is recorded). */
export function operatingResetAt(state: OperatingState, nowMs: number): number {
  const baskets = live(state, nowMs);
  const oldest = baskets.length > 0 ? Math.min(...baskets.map((b) => b.startMs)) : nowMs;
  return Math.floor((oldest + OPERATING_WINDOW_MS) / 1000);
}

export function isOverBudget(state: OperatingState, nowMs: number, budgetSec: number): boolean {
  return operatingTotal(state, nowMs) > budgetSec;
}

export function recordOperating(state: OperatingState, nowMs: number, seconds: number): OperatingState {
  const baskets = live(state, nowMs);
  const last = baskets[baskets.length - 1];
  if (last && nowMs - last.startMs < BASKET_MS) {
    return [...baskets.slice(0, -1), { startMs: last.startMs, seconds: last.seconds + seconds }];
  }
  return [...baskets, { startMs: nowMs, seconds }];
}
