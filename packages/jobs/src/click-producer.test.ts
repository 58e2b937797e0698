import type { JobsOptions } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { CLICK_SLOT_LEAD_MS, timelineActionJob } from './catalog.js';
import { type ClickQueue, createClickProducer } from './click-producer.js';

const EVENT = '0b6e3f0c-8a5e-4d27-9d4c-8f1a2b3c4d5e';

function fakeQueue(states: Record<string, string> = {}) {
  const added: { name: string; data: unknown; opts?: JobsOptions }[] = [];
  const queue: ClickQueue = {
    async add(name, data, opts) {
      added.push({ name, data, ...(opts ? { opts } : {}) });
    },
    async addBulk(jobs) {
      added.push(...jobs);
    },
    async getJob(id) {
      const state = states[id];
      return state ? { getState: async () => state as never } : undefined;
    },
  };
  return { queue, added };
}

describe('click producer', () => {
  it('the intake job is the event id, with the deployment options', async () => {
    const q = fakeQueue();
    const producer = createClickProducer(q.queue, { jobOptions: { ...timelineActionJob.defaults, attempts: 3 } });
    expect(await producer.enqueue(EVENT, 'intake')).toBe(EVENT);
    expect(q.added).toEqual([
      {
        name: timelineActionJob.name,
        data: { eventId: EVENT },
        opts: { ...timelineActionJob.defaults, attempts: 3, jobId: EVENT },
      },
    ]);
  });

  it('relay and sweep passes get a job id of their own each time (a completed job never swallows a requeue)', async () => {
    const q = fakeQueue();
    const producer = createClickProducer(q.queue, { now: () => 42 });
    const a = await producer.enqueue(EVENT, 'sweep');
    const b = await producer.enqueue(EVENT, 'sweep');
    const [c] = await producer.enqueueMany([EVENT], 'relay');
    expect(new Set([a, b, c, EVENT]).size).toBe(4);
    expect(a.startsWith(`${EVENT}-sweep-`)).toBe(true);
    expect(c?.startsWith(`${EVENT}-relay-`)).toBe(true);
    expect(a).not.toContain(':');
  });

  it("with the click's portal, the job waits in the delayed set for its place in the portal's schedule", async () => {
    const q = fakeQueue();
    const member = '0123456789abcdef0123456789abcdef';
    const waits = [0, 60, 1_000];
    const asked: string[] = [];
    const producer = createClickProducer(q.queue, {
      admission: async (m) => {
        asked.push(m);
        return { waitMs: waits.shift() ?? 0 };
      },
    });
    for (let i = 0; i < 3; i++) await producer.enqueue(EVENT, 'intake', { memberId: member });
    expect(asked).toEqual([member, member, member]);
    expect(q.added.map((j) => j.data)).toEqual([{ eventId: EVENT }, { eventId: EVENT }, { eventId: EVENT }]);
    // Added just before its slot; a slot within the lead is not worth a delay.
    expect(q.added.map((j) => j.opts?.delay)).toEqual([undefined, undefined, 1_000 - CLICK_SLOT_LEAD_MS]);
  });

  it('without a portal, or when the limiter cannot answer, the job is added at once', async () => {
    const q = fakeQueue();
    const producer = createClickProducer(q.queue, {
      admission: async () => {
        throw new Error('redis down');
      },
    });
    await producer.enqueue(EVENT, 'intake', { memberId: '0123456789abcdef0123456789abcdef' });
    await producer.enqueue(EVENT, 'sweep');
    expect(q.added.map((j) => j.data)).toEqual([{ eventId: EVENT }, { eventId: EVENT }]);
    expect(q.added.every((j) => j.opts?.delay === undefined)).toBe(true);
  });

  it('parses the payload before anything is added', async () => {
    const q = fakeQueue();
    let reserved = 0;
    const producer = createClickProducer(q.queue, {
      admission: async () => {
        reserved++;
        return { waitMs: 0 };
      },
    });
    await expect(producer.enqueue('not-a-uuid', 'intake', { memberId: 'abc' })).rejects.toThrow();
    expect(reserved).toBe(0);
    await expect(producer.enqueueMany([EVENT, 'nope'], 'relay')).rejects.toThrow();
    expect(q.added).toEqual([]);
  });

  it('a waiting, delayed or active job is live; a completed, failed or missing one is not', async () => {
    const q = fakeQueue({ w: 'waiting', d: 'delayed', a: 'active', c: 'completed', f: 'failed' });
    const producer = createClickProducer(q.queue);
    const live = await Promise.all(['w', 'd', 'a', 'c', 'f', 'x'].map((id) => producer.isLive(id)));
    expect(live).toEqual([true, true, true, false, false, false]);
  });
});
