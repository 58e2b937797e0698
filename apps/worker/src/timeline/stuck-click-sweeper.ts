/**
 * The last line against frozen cards: a click that was accepted but has not been finished within
 * `staleAfterMs` and whose latest job is not live (its retries ran out, its job was lost, its worker died
 * more often than BullMQ tolerates) gets a fresh job. After `maxAttempts` processing attempts it is
 * marked FAILED abandoned and logged as an error for a human. Rate-limited passes are not attempts
 * (the processor gives them back), so rate limiting alone never abandons a click.
 */
import type { Logger } from '@b24app/core';
import type { TimelineEventsRepository } from '@b24app/db';
import type { ClickProducer } from '@b24app/jobs';

export function createStuckClickSweeper(deps: {
  clicks: Pick<TimelineEventsRepository, 'staleClicks' | 'markRequeued' | 'abandon'>;
  producer: Pick<ClickProducer, 'enqueue' | 'isLive'>;
  logger: Logger;
  staleAfterMs?: number;
  maxAttempts?: number;
  batch?: number;
  now?: () => number;
}) {
  const staleAfterMs = deps.staleAfterMs ?? 60_000;
  const maxAttempts = deps.maxAttempts ?? 40;
  const now = deps.now ?? Date.now;

  async function runOnce(): Promise<{ requeued: number; abandoned: number }> {
    const stale = await deps.clicks.staleClicks(new Date(now() - staleAfterMs), deps.batch ?? 200);
    let requeued = 0;
    let abandoned = 0;
    for (const e of stale) {
      // The row names its latest job, whoever added it (intake, relay or an earlier sweep).
      if (await deps.producer.isLive(e.jobId ?? e.id)) continue;
      if (e.attempts >= maxAttempts) {
        if (await deps.clicks.abandon(e.id)) {
          deps.logger.error(
            { eventId: e.id, activityId: e.activityId, attempts: e.attempts },
            'click abandoned after every retry',
          );
          abandoned++;
        }
        continue;
      }
      // A duplicate job is harmless (processing is idempotent and serialised per activity).
      const jobId = await deps.producer.enqueue(e.id, 'sweep');
      await deps.clicks.markRequeued(e.id, jobId);
      requeued++;
    }
    if (requeued || abandoned) deps.logger.warn({ requeued, abandoned }, 'stuck clicks swept');
    return { requeued, abandoned };
  }

  return { runOnce };
}
