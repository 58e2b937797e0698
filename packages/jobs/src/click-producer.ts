/**
 * The one producer of the click job: intake, relay and sweeper enqueue through it, so the payload is parsed
 * against the catalog's schema and every job gets the deployment's options, whoever adds it.
 *
 * Job ids: the intake's job is the event id (a repeated enqueue of the same delivery is one job). The relay and
 * the sweeper add a job per pass, `<event id>-<reason>-<time>`: a click requeued by a reinstall must not
 * collide with its completed job, which BullMQ keeps for an hour (`removeOnComplete`), and turn into a no-op.
 * The row keeps its latest job id, so the sweeper checks that very job for liveness.
 *
 * Admission: when the enqueuer names the click's portal, the producer takes a place in the portal's admission
 * schedule (the shared limiter's `reserve`: when its bucket will have a slot for this click) and adds the job
 * delayed until just before it. A portal over its bucket thus waits in the delayed set, in its own order, instead
 * of in the queue in front of other portals' clicks, and each of its clicks runs once, when its slot is free.
 * Without a portal (relay, sweeper) the job runs at once; the worker parks it the same way if the bucket is busy.
 */
import type { Job, JobsOptions } from 'bullmq';
import { CLICK_SLOT_LEAD_MS, timelineActionJob } from './catalog.js';

export type ClickEnqueueReason = 'intake' | 'relay' | 'sweep';

/** The part of a BullMQ Queue the producer uses. */
export interface ClickQueue {
  add(name: string, data: unknown, opts?: JobsOptions): Promise<unknown>;
  addBulk(jobs: { name: string; data: unknown; opts?: JobsOptions }[]): Promise<unknown>;
  getJob(id: string): Promise<Pick<Job, 'getState'> | undefined>;
}

/** A place in the portal's admission schedule (the shared limiter's `reserve`): how far away its slot is. */
export type ClickAdmission = (memberId: string) => Promise<{ waitMs: number }>;

export interface ClickProducer {
  /** Adds the click's job, admitted to its portal's bucket when `memberId` is given; returns its id. */
  enqueue(eventId: string, reason: ClickEnqueueReason, opts?: { memberId?: string }): Promise<string>;
  /** One round trip for many clicks; returns their job ids in order. */
  enqueueMany(eventIds: string[], reason: ClickEnqueueReason): Promise<string[]>;
  /** The job is waiting, delayed or running (a finished or missing job is not). */
  isLive(jobId: string): Promise<boolean>;
}

const LIVE = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export function createClickProducer(
  queue: ClickQueue,
  opts: { jobOptions?: JobsOptions; now?: () => number; admission?: ClickAdmission } = {},
): ClickProducer {
  const jobOptions = opts.jobOptions ?? timelineActionJob.defaults;
  const now = opts.now ?? Date.now;
  let seq = 0;

  /** How long the job waits for its portal's slot (0: none, or the limiter cannot say and the worker will). */
  const delayFor = async (memberId: string | undefined): Promise<number> => {
    if (!memberId || !opts.admission) return 0;
    const got = await opts.admission(memberId).catch(() => null);
    return got && got.waitMs > CLICK_SLOT_LEAD_MS ? got.waitMs - CLICK_SLOT_LEAD_MS : 0;
  };

  const jobFor = (eventId: string, reason: ClickEnqueueReason) => {
    const data = timelineActionJob.schema.parse({ eventId });
    // The counter keeps two ids of one millisecond apart.
    const jobId =
      reason === 'intake'
        ? data.eventId
        : `${data.eventId}-${reason}-${now().toString(36)}${(seq++ % 1296).toString(36)}`;
    return { name: timelineActionJob.name, data, opts: { ...jobOptions, jobId } };
  };

  return {
    async enqueue(eventId, reason, enqueueOpts = {}) {
      const job = jobFor(eventId, reason); // parsed first: nothing is reserved for a payload that would be refused
      const delay = await delayFor(enqueueOpts.memberId);
      await queue.add(job.name, job.data, delay > 0 ? { ...job.opts, delay } : job.opts);
      return job.opts.jobId;
    },
    async enqueueMany(eventIds, reason) {
      if (eventIds.length === 0) return [];
      const jobs = eventIds.map((id) => jobFor(id, reason));
      await queue.addBulk(jobs);
      return jobs.map((j) => j.opts.jobId);
    },
    async isLive(jobId) {
      const job = await queue.getJob(jobId);
      return job ? LIVE.has(await job.getState()) : false;
    },
  };
}
