import type { JobsOptions } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { timelineActionJob } from './catalog.js';
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

  it('parses the payload before anything is added', async () => {
    const q = fakeQueue();
    const producer = createClickProducer(q.queue);
    await expect(producer.enqueue('not-a-uuid', 'intake')).rejects.toThrow();
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
