import { describe, expect, it } from 'vitest';
import { isOverBudget, operatingResetAt, operatingTotal, recordOperating } from './operating-budget.js';

describe('operating budget', () => {
  it('sums execution time into one-minute baskets over ten minutes', () => {
    let s = recordOperating([], 0, 1.5);
    s = recordOperating(s, 30_000, 2);
    s = recordOperating(s, 61_000, 1);
    expect(s).toHaveLength(2);
    expect(operatingTotal(s, 61_000)).toBeCloseTo(4.5);
    // the first basket (started at 0) drops out at 600 s
    expect(operatingTotal(s, 600_000)).toBeCloseTo(1);
    expect(operatingResetAt(s, 61_000)).toBe(600);
  });

  it('is over budget only once the sum exceeds the limit', () => {
    const s = recordOperating([], 0, 10);
    expect(isOverBudget(s, 1000, 10)).toBe(false);
    expect(isOverBudget(recordOperating(s, 1000, 0.01), 1000, 10)).toBe(true);
    expect(isOverBudget(s, 600_001, 5)).toBe(false);
  });

  it('reports now + 10 min when nothing is recorded', () => {
    expect(operatingResetAt([], 5_000)).toBe(605);
  });
});
