/**
 * The one producer of the click job: intake, relay and sweeper enqueue through it, so the payload is parsed
 * against the catalog's schema and every job gets the deployment's options, whoever adds it.
 *
 * Job ids: the intake's job is the event id (a repeated enqueue of the same delivery is one job). The relay and
 * the sweeper add a job per pass, `<event id>-<reason>-<time>`: a click requeued by a reinstall must not
 * collide with its completed job, which BullMQ keeps for an hour (`removeOnComplete`), and turn into a no-op.
 * The row keeps its latest job id, so the sweeper checks that very job for liveness.
 *
 * Admission: when the enqueuer names the click's portal, the producer reserves the portal's next REST slot and
 * adds the job delayed until just before it, with the slot in its payload. A portal over its bucket thus waits in
 * the delayed set, in its own slot order, instead of in the queue in front of other portals' clicks, and each of
 * its clicks runs once, at its slot. Without a portal (relay, sweeper) the job runs at once and the worker parks
 * it for a slot if the bucket is busy.
 */
import type { Job, JobsOptions } from 'bullmq';
import { CLICK_SLOT_LEAD_MS, type ClickSlot, timelineActionJob } from './catalog.js';

export type ClickEnqueueReason = 'intake' | 'relay' | 'sweep';

/** The part of a BullMQ Queue the producer uses. */
export interface ClickQueue {
  add(name: string, data: unknown, opts?: JobsOptions): Promise<unknown>;
  addBulk(jobs: { name: string; data: unknown; opts?: JobsOptions }[]): Promise<unknown>;
  getJob(id: string): Promise<Pick<Job, 'getState'> | undefined>;
}

/** Reserves the portal's next REST slot (the shared limiter's `reserve`); resolves with how far away it is. */
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

  /** The portal's next slot; none when the limiter cannot say (the worker then takes a slot itself). */
  const admit = async (memberId: string | undefined): Promise<{ slot?: ClickSlot; delay?: number }> => {
    if (!memberId || !opts.admission) return {};
    const got = await opts.admission(memberId).catch(() => null);
    if (!got) return {};
    const slot = { memberId, at: now() + got.waitMs, run: 1 };
    return got.waitMs > CLICK_SLOT_LEAD_MS ? { slot, delay: got.waitMs - CLICK_SLOT_LEAD_MS } : { slot };
  };

  const jobFor = (eventId: string, reason: ClickEnqueueReason, slot?: ClickSlot) => {
    const data = timelineActionJob.schema.parse(slot ? { eventId, slot } : { eventId });
    // The counter keeps two ids of one millisecond apart.
    const jobId =
      reason === 'intake'
        ? data.eventId
        : `${data.eventId}-${reason}-${now().toString(36)}${(seq++ % 1296).toString(36)}`;
    return { name: timelineActionJob.name, data, opts: { ...jobOptions, jobId } };
  };

  return {
    async enqueue(eventId, reason, enqueueOpts = {}) {
      timelineActionJob.schema.parse({ eventId }); // nothing is reserved for a payload that would be refused
      const { slot, delay } = await admit(enqueueOpts.memberId);
      const job = jobFor(eventId, reason, slot);
      await queue.add(job.name, job.data, delay ? { ...job.opts, delay } : job.opts);
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
