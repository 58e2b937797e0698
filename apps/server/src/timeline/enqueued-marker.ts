/**
 * Marks recorded clicks as ENQUEUED in batches, off the request path: one UPDATE per flush
 * instead of one per click. Losing a mark is harmless (the relay would enqueue the click again),
 * so marks are best effort.
 */
import type { Logger } from '@b24app/core';
import type { TimelineEventsRepository } from '@b24app/db';

export function createEnqueuedMarker(
  clicks: Pick<TimelineEventsRepository, 'markEnqueued'>,
  logger: Logger,
  opts: { flushMs?: number; maxBatch?: number } = {},
) {
  const flushMs = opts.flushMs ?? 20;
  const maxBatch = opts.maxBatch ?? 500;
  let pending: { id: string; at: Date }[] = [];
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending.length === 0) return inFlight;
    const batch = pending;
    pending = [];
    inFlight = inFlight
      .then(() => clicks.markEnqueued(batch))
      .catch((err: unknown) =>
        logger.warn({ err: { message: (err as Error).message } }, 'could not mark clicks enqueued'),
      );
    return inFlight;
  };

  return {
    mark(id: string): void {
      pending.push({ id, at: new Date() });
      if (pending.length >= maxBatch) void flush();
      else if (!timer) timer = setTimeout(() => void flush(), flushMs);
    },
    flush,
  };
}
