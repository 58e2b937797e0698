import { createLogger } from '@b24app/core';
import type { StaleClick } from '@b24app/db';
import { describe, expect, it } from 'vitest';
import { createStuckClickSweeper } from './stuck-click-sweeper.js';

const logger = createLogger({ level: 'silent' });

function setup(stale: StaleClick[], live: Set<string>, opts: { maxAttempts?: number } = {}) {
  const requeued: { id: string; jobId: string }[] = [];
  const abandoned: string[] = [];
  const asked: string[] = [];
  let cutoff: Date | undefined;
  let n = 0;
  const sweeper = createStuckClickSweeper({
    clicks: {
      async staleClicks(c) {
        cutoff = c;
        return stale;
      },
      async markRequeued(id, jobId) {
        requeued.push({ id, jobId });
        // The row now names the sweep job: the next pass must see it.
        const row = stale.find((s) => s.id === id);
        if (row) row.jobId = jobId;
      },
      async abandon(id) {
        abandoned.push(id);
        return true;
      },
    },
    producer: {
      async enqueue(id, reason) {
        const jobId = `${id}-${reason}-${++n}`;
        live.add(jobId);
        return jobId;
      },
      async isLive(jobId) {
        asked.push(jobId);
        return live.has(jobId);
      },
    },
    logger,
    staleAfterMs: 60_000,
    now: () => 1_000_000,
    ...opts,
  });
  return { sweeper, requeued, abandoned, asked, cutoff: () => cutoff };
}

const stale = (over: Partial<StaleClick> = {}): StaleClick => ({
  id: 'e1',
  attempts: 1,
  activityId: 100,
  jobId: null,
  ...over,
});

describe('stuck-click sweeper (fakes)', () => {
  it('gives a stale click without a live job a fresh job and records its id', async () => {
    const t = setup([stale()], new Set());
    expect(await t.sweeper.runOnce()).toEqual({ requeued: 1, abandoned: 0 });
    expect(t.requeued).toEqual([{ id: 'e1', jobId: 'e1-sweep-1' }]);
    expect(t.cutoff()).toEqual(new Date(1_000_000 - 60_000));
  });

  it('checks the intake job when the row names none, and leaves a click with a live job alone', async () => {
    const t = setup([stale()], new Set(['e1']));
    expect(await t.sweeper.runOnce()).toEqual({ requeued: 0, abandoned: 0 });
    expect(t.asked).toEqual(['e1']);
  });

  it('sees its own sweep job on the next cycle: no duplicate per cycle', async () => {
    const t = setup([stale()], new Set());
    await t.sweeper.runOnce();
    expect(await t.sweeper.runOnce()).toEqual({ requeued: 0, abandoned: 0 });
    expect(t.asked).toEqual(['e1', 'e1-sweep-1']);
  });

  it('a relay job named by the row counts as live', async () => {
    const t = setup([stale({ jobId: 'e1-relay-x' })], new Set(['e1-relay-x']));
    expect(await t.sweeper.runOnce()).toEqual({ requeued: 0, abandoned: 0 });
  });

  it('abandons a click only after every attempt, and only without a live job', async () => {
    const t = setup(
      [
        stale({ id: 'e1', attempts: 3 }),
        stale({ id: 'e2', attempts: 2 }),
        stale({ id: 'e3', attempts: 5, jobId: 'j3' }),
      ],
      new Set(['j3']),
      {
        maxAttempts: 3,
      },
    );
    expect(await t.sweeper.runOnce()).toEqual({ requeued: 1, abandoned: 1 });
    expect(t.abandoned).toEqual(['e1']);
    expect(t.requeued.map((r) => r.id)).toEqual(['e2']);
  });
});
