import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { defineJob } from './job-definition.js';

export const QUEUES = {
  timelineActions: 'timeline-actions',
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

export const JOBS = { timelineAction: timelineActionJob } as const;
