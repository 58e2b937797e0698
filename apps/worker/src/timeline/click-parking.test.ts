import { CLICK_SLOT_LEAD_MS } from '@b24app/jobs';
import { describe, expect, it } from 'vitest';
import { DelayJob } from './click-outcome.js';
import { createClickParking, type ParkableJob } from './click-parking.js';

const EVENT = '0b6e3f0c-8a5e-4d27-9d4c-8f1a2b3c4d5e';
const NOW = 1_000_000;

function setup(waitMs = 4_000) {
  const prepaid: [string, number][] = [];
  const reserved: string[] = [];
  const parking = createClickParking({
    limiter: {
      reserve: async (m) => {
        reserved.push(m);
        return { waitMs };
      },
      prepaid: (m, at) => void prepaid.push([m, at]),
    },
    now: () => NOW,
  });
  const moves: number[] = [];
  const job: ParkableJob = {
    data: { eventId: EVENT } as unknown,
    attemptsStarted: 3,
    async updateData(d) {
      job.data = d;
    },
    async moveToDelayed(ts) {
      moves.push(ts);
    },
  };
  return { parking, job, prepaid, reserved, moves };
}

describe('click parking', () => {
  it('a bucket refusal reserves the next slot and delays the job until just before it, for its next run', async () => {
    const t = setup(4_000);
    await t.parking.park(t.job, 'tok', new DelayJob(700, 'rate_limited', 'm1'));
    expect(t.reserved).toEqual(['m1']);
    expect(t.job.data).toEqual({ eventId: EVENT, slot: { memberId: 'm1', at: NOW + 4_000, run: 4 } });
    expect(t.moves).toEqual([NOW + 4_000 - CLICK_SLOT_LEAD_MS]);
  });

  it('a wait without a slot (busy card, operating budget) is a plain delay that reserves nothing', async () => {
    const t = setup();
    await t.parking.park(t.job, 'tok', new DelayJob(200, 'activity_busy'));
    expect(t.reserved).toEqual([]);
    expect(t.job.data).toEqual({ eventId: EVENT });
    expect(t.moves).toEqual([NOW + 200]);
  });

  it('a slot is handed to the limiter only in the run it was reserved for', () => {
    const t = setup();
    const slot = { memberId: 'm1', at: NOW + 50, run: 4 };
    expect(t.parking.admit({ attemptsStarted: 3 }, slot)).toBe(false); // an earlier run (cannot happen)
    expect(t.parking.admit({ attemptsStarted: 4 }, slot)).toBe(true);
    expect(t.parking.admit({ attemptsStarted: 5 }, slot)).toBe(false); // a retry or a stalled re-run
    expect(t.parking.admit({ attemptsStarted: 1 }, undefined)).toBe(false);
    expect(t.prepaid).toEqual([['m1', NOW + 50]]);
  });
});
