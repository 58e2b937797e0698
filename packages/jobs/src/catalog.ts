import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { defineJob } from './job-definition.js';

export const QUEUES = {
  timelineActions: 'timeline-actions',
  approvalCreates: 'approval-creates',
  approvalDeliveries: 'approval-deliveries',
  tokenKeepAlive: 'token-keepalive',
} as const;

/**
 * A click job waiting for its place in the portal's admission schedule comes out of the delayed set this long
 * before it: it loads its click meanwhile, and its request takes the slot (a short sleep) when it is due.
 */
export const CLICK_SLOT_LEAD_MS = 100;

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

/** The token keep-alive's periodic look for portals whose refresh token nears its expiry (a job scheduler). */
export const tokenKeepAliveScanJob = defineJob({
  queue: QUEUES.tokenKeepAlive,
  name: 'scan',
  schema: z.object({}).strict(),
  defaults: { removeOnComplete: true, removeOnFail: { age: 24 * 3_600 } },
});

/** One portal's keep-alive refresh; its id is per portal, so a portal has at most one waiting. */
export const tokenKeepAliveRefreshJob = defineJob({
  queue: QUEUES.tokenKeepAlive,
  name: 'refresh',
  schema: z.object({ memberId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/) }).strict(),
  defaults: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 60_000 },
    removeOnComplete: true,
    // Kept an hour for the board; after that the next scan may try the portal again.
    removeOnFail: { age: 3_600 },
  },
});

export const JOBS = {
  timelineAction: timelineActionJob,
  approvalCreate: approvalCreateJob,
  approvalDelivery: approvalDeliveryJob,
  tokenKeepAliveScan: tokenKeepAliveScanJob,
  tokenKeepAliveRefresh: tokenKeepAliveRefreshJob,
} as const;
