import type { Logger } from '@b24app/core';
import type { Db } from '@b24app/db';
import { timelineActionJob } from '@b24app/jobs';
import type { JobsOptions, Queue } from 'bullmq';

const LIVE = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * The last line against frozen cards: a click that was accepted but has not been finished within
 * `staleAfterMs` and has no live job (its retries ran out, its job was lost, its worker died more
 * often than BullMQ tolerates) gets a fresh job. After `maxAttempts` processing attempts it is
 * marked FAILED and logged as an error for a human.
 */
export function createStuckClickSweeper(deps: {
  db: Db;
  queue: Queue;
  logger: Logger;
  staleAfterMs?: number;
  maxAttempts?: number;
  batch?: number;
  jobOptions?: JobsOptions;
}) {
  const staleAfterMs = deps.staleAfterMs ?? 60_000;
  const jobOptions = deps.jobOptions ?? timelineActionJob.defaults;
  const maxAttempts = deps.maxAttempts ?? 40;

  async function runOnce(): Promise<{ requeued: number; abandoned: number }> {
    const cutoff = new Date(Date.now() - staleAfterMs);
    // Stale: not finished, and neither received nor (re)enqueued within the bound.
    const stale = await deps.db.timelineEvent.findMany({
      where: {
        state: { in: ['ENQUEUED', 'PROCESSING'] },
        receivedAt: { lt: cutoff },
        OR: [{ enqueuedAt: null }, { enqueuedAt: { lt: cutoff } }],
      },
      orderBy: { receivedAt: 'asc' },
      take: deps.batch ?? 200,
      select: { id: true, attempts: true, portalId: true, activityId: true },
    });
    let requeued = 0;
    let abandoned = 0;
    for (const e of stale) {
      if (await hasLiveJob(e.id)) continue;
      if (e.attempts >= maxAttempts) {
        await deps.db.timelineEvent.update({
          where: { id: e.id },
          data: { state: 'FAILED', outcome: 'abandoned', finishedAt: new Date() },
        });
        deps.logger.error(
          { eventId: e.id, activityId: e.activityId, attempts: e.attempts },
          'click abandoned after every retry',
        );
        abandoned++;
        continue;
      }
      // A duplicate job is harmless (processing is idempotent and serialised per activity).
      await deps.queue.add(
        timelineActionJob.name,
        { eventId: e.id },
        { ...jobOptions, jobId: `${e.id}-sweep-${Date.now()}` },
      );
      await deps.db.timelineEvent.update({ where: { id: e.id }, data: { enqueuedAt: new Date() } });
      requeued++;
    }
    if (requeued || abandoned) deps.logger.warn({ requeued, abandoned }, 'stuck clicks swept');
    return { requeued, abandoned };
  }

  async function hasLiveJob(eventId: string): Promise<boolean> {
    const job = await deps.queue.getJob(eventId);
    return job ? LIVE.has(await job.getState()) : false;
  }

  return { runOnce };
}
