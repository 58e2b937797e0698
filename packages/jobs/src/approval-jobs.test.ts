import type { JobsOptions } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { type JobQueue, createApprovalCreateProducer } from './approval-create-producer.js';
import { approvalCreateJob, approvalDeliveryJob } from './catalog.js';
import { createDeliveryProducer } from './delivery-producer.js';

const A = '0b6e3f0c-8a5e-4d27-9d4c-8f1a2b3c4d5e';
const B = '1c7f4a1d-9b6f-4e38-8e5d-9a2b3c4d5e6f';

function fakeQueue() {
  const added: { name: string; data: unknown; opts?: JobsOptions }[] = [];
  const queue: JobQueue = {
    async add(name, data, opts) {
      added.push({ name, data, ...(opts ? { opts } : {}) });
    },
    async addBulk(jobs) {
      added.push(...jobs);
    },
  };
  return { queue, added };
}

describe('approval creation producer', () => {
  it('one job id per approval, whoever enqueues and however often (BullMQ keeps one live job per id)', async () => {
    const q = fakeQueue();
    const producer = createApprovalCreateProducer(q.queue);
    expect(await producer.enqueue(A)).toBe(`create-${A}`);
    expect(await producer.enqueueMany([A, B])).toEqual([`create-${A}`, `create-${B}`]);
    expect(q.added.map((j) => j.opts?.jobId)).toEqual([`create-${A}`, `create-${A}`, `create-${B}`]);
    expect(q.added[0]).toEqual({
      name: approvalCreateJob.name,
      data: { approvalId: A },
      opts: { ...approvalCreateJob.defaults, jobId: `create-${A}` },
    });
    expect(await producer.enqueueMany([])).toEqual([]);
  });

  it('refuses a payload that is not an approval id: nothing is added', async () => {
    const q = fakeQueue();
    await expect(createApprovalCreateProducer(q.queue).enqueue('not-a-uuid')).rejects.toThrow();
    expect(q.added).toEqual([]);
  });
});

describe('delivery producer', () => {
  it('the job id is the delivery id; finished jobs are not kept, BullMQ never retries on its own', async () => {
    const q = fakeQueue();
    expect(await createDeliveryProducer(q.queue).enqueueMany([A])).toEqual([A]);
    expect(q.added).toEqual([
      { name: approvalDeliveryJob.name, data: { deliveryId: A }, opts: { ...approvalDeliveryJob.defaults, jobId: A } },
    ]);
    expect(approvalDeliveryJob.defaults).toMatchObject({ attempts: 1, removeOnComplete: true, removeOnFail: true });
  });
});
