import type { Logger } from '@b24app/core';
import type { Db } from '@b24app/db';
import { timelineActionJob } from '@b24app/jobs';
import type { JobsOptions, Queue } from 'bullmq';

/**
 * The outbox relay: clicks that were recorded but never enqueued (Redis was down when they came
 * in, or the server died between the insert and the enqueue) are enqueued here. `jobId` is the
 * event id, so a click that is in the queue after all is not added twice.
 */
export function createIntakeRelay(deps: {
  db: Db;
  queue: Queue;
  logger: Logger;
  graceMs?: number;
  batch?: number;
  jobOptions?: JobsOptions;
}) {
  const graceMs = deps.graceMs ?? 1_000;
  const jobOptions = deps.jobOptions ?? timelineActionJob.defaults;
  const batch = deps.batch ?? 200;

  async function runOnce(): Promise<number> {
    return deps.db.$transaction(async (tx) => {
      // SKIP LOCKED: several workers can relay at once without handing out the same click twice.
      const rows = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM timeline_events
        WHERE state = 'RECEIVED' AND received_at < now() - make_interval(secs => ${graceMs / 1000})
        ORDER BY received_at LIMIT ${batch} FOR UPDATE SKIP LOCKED`;
      if (rows.length === 0) return 0;
      await deps.queue.addBulk(
        rows.map((r) => ({
          name: timelineActionJob.name,
          data: { eventId: r.id },
          opts: { ...jobOptions, jobId: r.id },
        })),
      );
      await tx.timelineEvent.updateMany({
        where: { id: { in: rows.map((r) => r.id) }, state: 'RECEIVED' },
        data: { state: 'ENQUEUED', enqueuedAt: new Date() },
      });
      deps.logger.info({ count: rows.length }, 'relayed recorded clicks to the queue');
      return rows.length;
    });
  }
  return { runOnce };
}
