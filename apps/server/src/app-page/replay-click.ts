/**
 * Replays a failed click through the click lifecycle: its one owner (packages/db timeline-events repository)
 * puts it back to RECEIVED with a fresh attempt budget, and the relay enqueues it through the click producer,
 * as it does for a click whose enqueue was missed or that a reinstall handed back. The worker then decides
 * and updates the card; nothing here writes an outcome or adds a job.
 */
import type { TimelineEventsRepository } from '@b24app/db';

export type ReplayFailedClick = (portalId: string, eventId: string) => Promise<boolean>;

export function createClickReplayer(deps: {
  clicks: Pick<TimelineEventsRepository, 'replayFailed'>;
}): ReplayFailedClick {
  return (portalId, eventId) => deps.clicks.replayFailed(portalId, eventId);
}
