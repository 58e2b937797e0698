import type { Logger } from '@b24app/core';
import { type Db, rawPool } from '@b24app/db';

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
    inFlight = inFlight
      .then(() =>
        rawPool(db).query(
          `UPDATE timeline_events t SET state = 'ENQUEUED', enqueued_at = v.at
           FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, at)
           WHERE t.id = v.id AND t.state = 'RECEIVED'`,
          [batch.map((b) => b.id), batch.map((b) => new Date(b.at))],
        ),
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
