/**
 * The one producer of the approval creation job: the robot intake (server) and the creation relay (worker) add
 * through it. The job id is the approval's (`create-<approval id>`): while a job for the row waits, runs or is
 * delayed, adding another is a no-op, so the intake and any number of relays never start two adds; the add
 * claim on the row is the second guard. Finished jobs are removed (the row keeps the outcome), so a row whose job
 * is gone can be handed to a fresh one with the same id.
 */
import type { JobsOptions } from 'bullmq';
import { approvalCreateJob } from './catalog.js';

/** The part of a BullMQ Queue the producer uses. */
export interface JobQueue {
  add(name: string, data: unknown, opts?: JobsOptions): Promise<unknown>;
  addBulk(jobs: { name: string; data: unknown; opts?: JobsOptions }[]): Promise<unknown>;
}

export interface ApprovalCreateProducer {
  /** Adds the approval's creation job (a no-op while one is live); returns the job id. */
  enqueue(approvalId: string): Promise<string>;
  enqueueMany(approvalIds: string[]): Promise<string[]>;
}

export const approvalCreateJobId = (approvalId: string): string => `create-${approvalId}`;

export function createApprovalCreateProducer(
  queue: JobQueue,
  opts: { jobOptions?: JobsOptions } = {},
): ApprovalCreateProducer {
  const jobOptions = opts.jobOptions ?? approvalCreateJob.defaults;
  const jobFor = (approvalId: string) => {
    const data = approvalCreateJob.schema.parse({ approvalId });
    return { name: approvalCreateJob.name, data, opts: { ...jobOptions, jobId: approvalCreateJobId(data.approvalId) } };
  };
  return {
    async enqueue(approvalId) {
      const job = jobFor(approvalId);
      await queue.add(job.name, job.data, job.opts);
      return job.opts.jobId;
    },
    async enqueueMany(approvalIds) {
      if (approvalIds.length === 0) return [];
      const jobs = approvalIds.map(jobFor);
      await queue.addBulk(jobs);
      return jobs.map((j) => j.opts.jobId);
    },
  };
}
