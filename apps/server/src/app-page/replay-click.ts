/**
 * Replays a failed click through the existing click lifecycle: the row goes back to ENQUEUED with its attempts
 * reset and a fresh timeline-action job is added (its own job id, as the stuck-click sweeper does, since the
 * failed job keeps the click's id for a week). The worker then decides and updates the card; nothing here
 * writes an outcome. Should the add fail, the sweeper finds the ENQUEUED row without a live job and requeues it.
 * One small function so it can move onto the click lifecycle module once that lands on main.
 */
import type { Db } from '@b24app/db';
import { timelineActionJob } from '@b24app/jobs';
import type { JobsOptions, Queue } from 'bullmq';

export type ReplayFailedClick = (portalId: string, eventId: string) => Promise<boolean>;

export function createClickReplayer(deps: { db: Db; queue: Queue; jobOptions: JobsOptions }): ReplayFailedClick {
  return async (portalId, eventId) => {
    const { count } = await deps.db.timelineEvent.updateMany({
      where: { id: eventId, portalId, state: 'FAILED' },
      data: { state: 'ENQUEUED', outcome: null, error: null, attempts: 0, enqueuedAt: new Date(), finishedAt: null },
    });
    if (count !== 1) return false;
    await deps.queue.add(
      timelineActionJob.name,
      { eventId },
      { ...deps.jobOptions, jobId: `${eventId}-replay-${Date.now()}` },
    );
    return true;
  };
}
