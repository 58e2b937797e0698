/**
 * The outbox relay: every due PENDING delivery is handed to a job (job id = delivery id: a row whose job still
 * waits or runs is a no-op here). Due means never tried, its backoff is over, or a dead worker's lease ran out,
 * so a worker killed between the decision and the call leaves nothing behind.
 */
import type { Logger } from '@b24app/core';
import type { ApprovalDeliveriesRepository } from '@b24app/db';
import type { DeliveryProducer } from '@b24app/jobs';

export function createDeliveryRelay(deps: {
  deliveries: Pick<ApprovalDeliveriesRepository, 'due'>;
  producer: DeliveryProducer;
  logger: Logger;
  batch?: number;
}) {
  const limit = deps.batch ?? 200;
  async function runOnce(): Promise<number> {
    const due = await deps.deliveries.due(limit);
    if (due.length === 0) return 0;
    await deps.producer.enqueueMany(due.map((d) => d.id));
    deps.logger.debug({ count: due.length }, 'due deliveries handed to their jobs');
    return due.length;
  }
  return { runOnce };
}
