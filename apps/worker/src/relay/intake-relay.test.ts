import { createLogger } from '@b24app/core';
import { describe, expect, it } from 'vitest';
import { createIntakeRelay } from './intake-relay.js';

const logger = createLogger({ level: 'silent' });

describe('intake relay (fakes)', () => {
  it('hands the recorded clicks to the producer as relay jobs and reports the count', async () => {
    const enqueued: { ids: string[]; reason: string }[] = [];
    let asked: { graceMs: number; limit: number } | undefined;
    const relay = createIntakeRelay({
      clicks: {
        async relayReceived(opts, enqueue) {
          asked = opts;
          const jobIds = await enqueue(['e1', 'e2']);
          expect(jobIds).toEqual(['e1-relay', 'e2-relay']);
          return 2;
        },
      },
      producer: {
        async enqueueMany(ids, reason) {
          enqueued.push({ ids, reason });
          return ids.map((id) => `${id}-${reason}`);
        },
      },
      logger,
      graceMs: 500,
      batch: 10,
    });
    expect(await relay.runOnce()).toBe(2);
    expect(asked).toEqual({ graceMs: 500, limit: 10 });
    expect(enqueued).toEqual([{ ids: ['e1', 'e2'], reason: 'relay' }]);
  });

  it('an enqueue failure fails the pass (the transaction rolls back; the clicks stay RECEIVED)', async () => {
    const relay = createIntakeRelay({
      clicks: { relayReceived: async (_o, enqueue) => (await enqueue(['e1'])).length },
      producer: {
        enqueueMany: async () => {
          throw new Error('redis down');
        },
      },
      logger,
    });
    await expect(relay.runOnce()).rejects.toThrow('redis down');
  });
});
