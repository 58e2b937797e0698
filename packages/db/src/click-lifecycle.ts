/**
 * The click's lifecycle as values: the states a `timeline_events` row moves through and the closed set of
 * outcomes it can end with. Server and worker both speak these; only timeline-events.repository.ts writes them.
 *
 *   RECEIVED ──enqueued──▶ ENQUEUED ──claimed──▶ PROCESSING ──finished──▶ DONE | FAILED
 *   RECEIVED ──claimed (a job ran before the mark)──▶ PROCESSING
 *   PROCESSING ──claimed again (retry, sweep, stalled job)──▶ PROCESSING
 *   ENQUEUED | PROCESSING ──abandoned (sweeper, after every attempt)──▶ FAILED
 *   FAILED (portal_gone) ──requeued after reinstall──▶ RECEIVED
 */
import type { TimelineEvent, TimelineEventState } from './generated/prisma/client.js';

export type ClickState = TimelineEventState;

/** How a click ended. DONE outcomes updated (or had nothing left to update on) the card; FAILED ones did not. */
export const CLICK_OUTCOMES = {
  /** This click decided the approval. */
  applied: 'DONE',
  /** The approval was decided already (by another click); the card shows that decision. */
  already_decided: 'DONE',
  /** The clicking user may not decide this approval: it stays pending, the card shows a note. */
  not_approver: 'DONE',
  /** Bitrix24 did not accept the delivery's user token (expired, forged): nobody decided; the card shows a note. */
  user_unproven: 'DONE',
  /** A reject without the comment the portal's settings require: it stays pending; the card says so. */
  comment_required: 'DONE',
  /** An action id we do not handle: the card was re-sent unchanged. */
  unknown_action: 'DONE',
  /** Not one of our approvals: its own layout was re-sent so the lock clears. */
  unknown_activity: 'DONE',
  /** The decision could not be saved: the card shows the error state with usable buttons. */
  error_shown: 'DONE',
  /** The activity was deleted in the CRM. */
  activity_gone: 'DONE',
  /** The portal has no usable tokens (uninstalled, or its refresh token was revoked). A reinstall requeues it. */
  portal_gone: 'FAILED',
  /** The sweeper gave up after every attempt. */
  abandoned: 'FAILED',
} as const satisfies Record<string, 'DONE' | 'FAILED'>;

export type ClickOutcome = keyof typeof CLICK_OUTCOMES;

export const isClickOutcome = (s: string | null): s is ClickOutcome => s !== null && Object.hasOwn(CLICK_OUTCOMES, s);

/** The state a click ends in with this outcome. */
export const finalStateOf = (outcome: ClickOutcome): 'DONE' | 'FAILED' => CLICK_OUTCOMES[outcome];

/** A `timeline_events` row with its outcome typed. */
export type ClickRecord = Omit<TimelineEvent, 'outcome'> & { outcome: ClickOutcome | null };
