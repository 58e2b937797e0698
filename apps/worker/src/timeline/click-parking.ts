/**
 * How a click job waits for its portal's bucket without occupying the queue or a worker slot, and without
 * being picked up again and again only to be told "not yet": a run the bucket turned away takes a place in the
 * portal's admission schedule (the shared limiter's `reserve`, one drain interval after the previous place,
 * however far away) and the job is delayed until just before it. Portals over their bucket thus wait in the
 * delayed set, in their own order, and come back at their bucket's rate; each parked click runs once more.
 * The producer admits clicks the same way at intake, so most of them never need a park.
 */
import type { PortalRateLimiter } from '@b24app/bitrix24';
import { CLICK_SLOT_LEAD_MS } from '@b24app/jobs';
import type { DelayJob } from './click-outcome.js';

export function createClickParking(deps: { limiter: Pick<PortalRateLimiter, 'reserve'>; now?: () => number }) {
  const now = deps.now ?? Date.now;
  return {
    /** When the job should run again, as the DelayJob says: at its place in the portal's schedule, or after its wait. */
    async until(delay: DelayJob): Promise<number> {
      if (!delay.slotOf) return now() + delay.retryAfterMs;
      const { waitMs } = await deps.limiter.reserve(delay.slotOf);
      return now() + Math.max(0, waitMs - CLICK_SLOT_LEAD_MS);
    },
  };
}
