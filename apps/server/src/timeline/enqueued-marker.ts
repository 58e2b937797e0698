import type { Logger } from '@b24app/core';
import type { Db } from '@b24app/db';

/**
 * Marks recorded clicks as ENQUEUED in batches, off the request path: one UPDATE per flush
 * instead of one per click. Losing a mark is harmless (the relay would enqueue the click again
 * under the same job id), so marks are best effort.
 */
export function createEnqueuedMarker(db: Db, logger: Logger, opts: { flushMs?: number; maxBatch?: number } = {}) {
  const flushMs = opts.flushMs ?? 20;
  const maxBatch = opts.maxBatch ?? 500;
  let pending: { id: string; at: number }[] = [];
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending.length === 0) return inFlight;
    const batch = pending;
    pending = [];
    const earliest = batch.reduce((m, b) => Math.min(b.at, m), batch[0]!.at);
    inFlight = inFlight
      .then(() =>
        db.timelineEvent.updateMany({
          where: { id: { in: batch.map((b) => b.id) }, state: 'RECEIVED' },
          data: { state: 'ENQUEUED', enqueuedAt: new Date(earliest) },
        }),
      )
      .then(() => undefined)
      .catch((err: unknown) =>
        logger.warn({ err: { message: (err as Error).message } }, 'could not mark clicks enqueued'),
      );
    return inFlight;
  };

  return {
    mark(id: string): void {
      pending.push({ id, at: Date.now() });
      if (pending.length >= maxBatch) void flush();
      else if (!timer) timer = setTimeout(() => void flush(), flushMs);
    },
    flush,
  };
}
