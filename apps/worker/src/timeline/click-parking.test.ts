import { CLICK_SLOT_LEAD_MS } from '@b24app/jobs';
import { describe, expect, it } from 'vitest';
import { DelayJob } from './click-outcome.js';
import { createClickParking } from './click-parking.js';

const NOW = 1_000_000;

function setup(waitMs: number) {
  const reserved: string[] = [];
  const parking = createClickParking({
    limiter: {
      reserve: async (m) => {
        reserved.push(m);
        return { waitMs };
      },
    },
    now: () => NOW,
  });
  return { parking, reserved };
}

describe('click parking', () => {
  it("a bucket refusal takes a place in the portal's schedule and comes back just before it", async () => {
    const t = setup(4_000);
    expect(await t.parking.until(new DelayJob(700, 'rate_limited', 'm1'))).toBe(NOW + 4_000 - CLICK_SLOT_LEAD_MS);
    expect(t.reserved).toEqual(['m1']);
  });

  it('a place within the lead is taken at once', async () => {
    const t = setup(30);
    expect(await t.parking.until(new DelayJob(700, 'rate_limited', 'm1'))).toBe(NOW);
  });

  it('a wait without a portal slot (busy card, operating budget) is a plain delay that takes no place', async () => {
    const t = setup(4_000);
    expect(await t.parking.until(new DelayJob(200, 'activity_busy'))).toBe(NOW + 200);
    expect(t.reserved).toEqual([]);
  });
});
