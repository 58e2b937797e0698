import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { defineJob } from './job-definition.js';

export const QUEUES = {
  timelineActions: 'timeline-actions',
  approvalCreates: 'approval-creates',
  approvalDeliveries: 'approval-deliveries',
} as const;

/** One click on a configurable activity, recorded in timeline_events before it was acknowledged. */
export const timelineActionJob = defineJob({
  queue: QUEUES.timelineActions,
  name: 'timeline-action',
  schema: z.object({ eventId: z.uuid() }).strict(),
  defaults: {
    attempts: 8,
    backoff: { type: 'exponential', delay: 1_000 },
    removeOnComplete: { age: 3_600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3_600 },
  },
});

/** The click job's options with a deployment's retry schedule (every producer of the job must use the same). */
export function timelineActionJobOptions(schedule: { attempts?: number; backoffMs?: number } = {}): JobsOptions {
  return {
    ...timelineActionJob.defaults,
    ...(schedule.attempts ? { attempts: schedule.attempts } : {}),
    ...(schedule.backoffMs ? { backoff: { type: 'exponential', delay: schedule.backoffMs } } : {}),
  };
}

/**
 * Adds the card of an approval left to the job (a robot run's): paced by the portal's limiter, never a blind retry
 * of an add whose answer was lost. One job id per approval (`approval-create-producer.ts`); the row holds the state,
 * so a finished job is removed and the relay can hand the row to a fresh one.
 */
export const approvalCreateJob = defineJob({
  queue: QUEUES.approvalCreates,
  name: 'approval-create',
  schema: z.object({ approvalId: z.uuid() }).strict(),
  defaults: {
    attempts: 10,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: true,
    removeOnFail: true,
  },
});

/**
 * One attempt of a decision delivery (the outbox row `approval_deliveries`, job id = its id). The row is the
 * schedule (attempts, next_attempt_at): a job makes one attempt and the relay hands the row to the next one when it
 * is due, so BullMQ keeps no finished job and never retries on its own.
 */
export const approvalDeliveryJob = defineJob({
  queue: QUEUES.approvalDeliveries,
  name: 'approval-delivery',
  schema: z.object({ deliveryId: z.uuid() }).strict(),
  defaults: { attempts: 1, removeOnComplete: true, removeOnFail: true },
});

export const JOBS = {
  timelineAction: timelineActionJob,
  approvalCreate: approvalCreateJob,
  approvalDelivery: approvalDeliveryJob,
} as const;
