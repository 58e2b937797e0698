/**
 * The one producer of the decision delivery job: the delivery relay hands it each due outbox row. The job id is
 * the delivery's id, so a row is never in two jobs at once however many relays run; the job is removed when it
 * ends, and the row (its next_attempt_at) says when it is due again.
 */
import type { JobsOptions } from 'bullmq';
import type { JobQueue } from './approval-create-producer.js';
import { approvalDeliveryJob } from './catalog.js';

export interface DeliveryProducer {
  /** One job per delivery id (a no-op for a delivery whose job is still there); returns the job ids. */
  enqueueMany(deliveryIds: string[]): Promise<string[]>;
}

export function createDeliveryProducer(queue: Pick<JobQueue, 'addBulk'>, opts: { jobOptions?: JobsOptions } = {}) {
  const jobOptions = opts.jobOptions ?? approvalDeliveryJob.defaults;
  const producer: DeliveryProducer = {
    async enqueueMany(deliveryIds) {
      if (deliveryIds.length === 0) return [];
      const jobs = deliveryIds.map((id) => {
        const data = approvalDeliveryJob.schema.parse({ deliveryId: id });
        return { name: approvalDeliveryJob.name, data, opts: { ...jobOptions, jobId: data.deliveryId } };
      });
      await queue.addBulk(jobs);
      return jobs.map((j) => j.opts.jobId);
    },
  };
  return producer;
}
