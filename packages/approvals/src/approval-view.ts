// What the approval card shows, and how a stored approval row becomes it. The layout and the activity
// fields are functions of this view only, so every path (create, decision, error state) draws the same card.
import type { Approval } from '@b24app/db';

export type ApprovalState = 'pending' | 'approved' | 'rejected' | 'failed';

export interface ApprovalUser {
  id: number;
  name?: string;
}

export interface ApprovalView {
  approvalId: string;
  title: string;
  description?: string | null;
  requester?: ApprovalUser | null;
  /** ISO 8601; shown through the activity's own deadline (set `fields.deadline` to the same value). */
  deadline?: string | null;
  state: ApprovalState;
  decidedBy?: ApprovalUser | null;
  /** ISO 8601. */
  decidedAt?: string | null;
  /** The decider's comment (a reject's reason, an approve's note). */
  comment?: string | null;
  /**
   * The portal requires a comment to reject: Reject opens the details slider (openRestApp) with a comment field
   * instead of sending a restEvent.
   */
  rejectWithComment?: boolean;
  /** For 'failed': the user-visible reason the decision could not be applied. */
  error?: string | null;
  /** Portal language of the texts; default 'en'. */
  lang?: string;
}

/** The columns of an approval row that the card depends on. */
export type ApprovalRow = Pick<
  Approval,
  | 'id'
  | 'title'
  | 'description'
  | 'deadline'
  | 'state'
  | 'decidedById'
  | 'decidedByName'
  | 'decidedAt'
  | 'decisionComment'
  | 'responsibleId'
  | 'requesterId'
  | 'requesterName'
>;

export interface ApprovalViewOptions {
  lang?: string;
  /** A decision that could not be applied: a pending approval is then shown as 'failed'. */
  error?: string | null;
  /** The portal's "a comment is required to reject" setting. */
  rejectCommentRequired?: boolean;
}

export function approvalView(row: ApprovalRow, opts: ApprovalViewOptions = {}): ApprovalView {
  const decided = row.state !== 'PENDING';
  return {
    approvalId: row.id,
    title: row.title,
    description: row.description,
    requester: row.requesterId ? userOf(row.requesterId, row.requesterName) : null,
    deadline: row.deadline?.toISOString() ?? null,
    // A decision that could not be shown is presented as 'failed' with the buttons usable again.
    state: opts.error && !decided ? 'failed' : stateOf(row.state),
    decidedBy: row.decidedById ? userOf(row.decidedById, row.decidedByName) : null,
    decidedAt: row.decidedAt?.toISOString() ?? null,
    comment: row.decisionComment ?? null,
    rejectWithComment: opts.rejectCommentRequired === true,
    error: opts.error ?? null,
    lang: opts.lang ?? 'en',
  };
}

const userOf = (id: number, name: string | null): ApprovalUser => (name ? { id, name } : { id });

const stateOf = (s: Approval['state']): ApprovalState =>
  s === 'APPROVED' ? 'approved' : s === 'REJECTED' ? 'rejected' : 'pending';
