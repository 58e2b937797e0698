/**
 * How a click job waits for its portal's bucket without occupying the queue or a worker slot, and without
 * being picked up again only to be told "not yet":
 *
 * - A run whose payload carries a slot reserved for this very run (by the producer at intake, or by the park
 *   below) hands it to the limiter of this process; the run's first request of that portal sends at it.
 * - A run the bucket turned away is parked: the portal's next slot is reserved now, however far away, and the job
 *   is delayed until just before it with that slot in its payload, for its next run. Portals over their bucket
 *   thus wait in the delayed set in their own slot order; each parked click runs once more, at its slot.
 *
 * A slot names the run it is for (BullMQ's attemptsStarted), so a retry, a stalled re-run or a delay for a busy
 * card never uses it a second time.
 */
import type { PortalRateLimiter } from '@b24app/bitrix24';
import { CLICK_SLOT_LEAD_MS, type ClickSlot } from '@b24app/jobs';
import type { DelayJob } from './click-outcome.js';

/** The part of a BullMQ job a park touches. */
export interface ParkableJob {
  data: unknown;
  attemptsStarted: number;
  updateData(data: unknown): Promise<void>;
  moveToDelayed(timestamp: number, token?: string): Promise<void>;
}

export function createClickParking(deps: {
  limiter: Pick<PortalRateLimiter, 'reserve' | 'prepaid'>;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  return {
    /** At the start of a run: the slot reserved for it, if any, is this process's to use. */
    admit(job: Pick<ParkableJob, 'attemptsStarted'>, slot: ClickSlot | undefined): boolean {
      if (!slot || slot.run !== job.attemptsStarted) return false;
      deps.limiter.prepaid(slot.memberId, slot.at);
      return true;
    },

    /** Delays the job as the DelayJob says: until a reserved slot of its portal, or by its wait. */
    async park(job: ParkableJob, token: string | undefined, delay: DelayJob): Promise<void> {
      if (!delay.slotOf) {
        await job.moveToDelayed(now() + delay.retryAfterMs, token);
        return;
      }
      const { waitMs } = await deps.limiter.reserve(delay.slotOf);
      const slot: ClickSlot = { memberId: delay.slotOf, at: now() + waitMs, run: job.attemptsStarted + 1 };
      await job.updateData({ ...(job.data as object), slot });
      await job.moveToDelayed(slot.at - CLICK_SLOT_LEAD_MS, token);
    },
  };
}
