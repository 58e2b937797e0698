import type { Approval, ClickOutcome, ClickRecord } from '@b24app/db';
import type { ClickRepository } from '../click.repository.js';

/** What a handler may do: change the approval's state. The layout is rebuilt from that state afterwards. */
export interface ActionContext {
  repo: Pick<ClickRepository, 'applyDecision' | 'approvalById'>;
  approval: Approval;
  event: ClickRecord;
  /** The decider's comment: only a decision made on the app page carries one (decision-comment.ts). */
  comment: string | null;
  /** The portal's setting: a reject needs a comment. */
  rejectCommentRequired: boolean;
  /** Display name of a portal user, when the portal tells us (best effort). */
  userName(userId: number): Promise<string | undefined>;
}

export interface ActionResult {
  approval: Approval;
  /** Recorded on the click: what happened. */
  outcome: Extract<ClickOutcome, 'applied' | 'already_decided' | 'comment_required'>;
  /** Shown on the card when the click decided nothing and the approval stays pending (buttons usable). */
  note?: string;
}

export interface ActionHandler {
  /** The `restEvent` action id this handles (`data[id]` of the event). */
  id: string;
  handle(ctx: ActionContext): Promise<ActionResult>;
}

export type ActionHandlerRegistry = ReadonlyMap<string, ActionHandler>;

export const createActionRegistry = (handlers: ActionHandler[]): ActionHandlerRegistry =>
  new Map(handlers.map((h) => [h.id, h]));
