/**
 * The outbox relay: clicks that were recorded but never enqueued (Redis was down when they came in, the
 * server died between the insert and the enqueue, or a reinstall requeued them) are enqueued here, each
 * with a job of its own (see click-producer.ts for why the id is fresh).
 */
import type { Logger } from '@b24app/core';
import type { TimelineEventsRepository } from '@b24app/db';
import type { ClickProducer } from '@b24app/jobs';

export function createIntakeRelay(deps: {
  clicks: Pick<TimelineEventsRepository, 'relayReceived'>;
  producer: Pick<ClickProducer, 'enqueueMany'>;
  logger: Logger;
  graceMs?: number;
  batch?: number;
}) {
  const graceMs = deps.graceMs ?? 1_000;
  const limit = deps.batch ?? 200;

  async function runOnce(): Promise<number> {
    const count = await deps.clicks.relayReceived({ graceMs, limit }, (ids) => deps.producer.enqueueMany(ids, 'relay'));
    if (count > 0) deps.logger.info({ count }, 'relayed recorded clicks to the queue');
    return count;
  }
  return { runOnce };
}
