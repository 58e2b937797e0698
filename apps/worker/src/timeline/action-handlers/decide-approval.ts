import type { ActionContext, ActionResult } from './action-handler.js';

/**
 * Applies a decision once: the conditional update only matches a PENDING approval, so a second,
 * different click (or the same click replayed) never changes a decided approval.
 *
 * The click that wins is marked `applied` in the same transaction, so a re-run of that very click
 * (its update failed and BullMQ retried, or its worker died after deciding) still reports `applied`
 * instead of `already_decided`: one `applied` click per decided approval, whatever happened in between.
 */
export async function decideApproval(ctx: ActionContext, state: 'APPROVED' | 'REJECTED'): Promise<ActionResult> {
  const { repo, approval, event } = ctx;
  if (approval.state !== 'PENDING') {
    return { approval, outcome: event.outcome === 'applied' ? 'applied' : 'already_decided' };
  }
  const name = await ctx.userName(event.userId);
  const decided = await repo.applyDecision({
    approvalId: approval.id,
    eventId: event.id,
    state,
    userId: event.userId,
    userName: name ?? null,
    comment: ctx.comment,
  });
  if (decided) return { approval: decided, outcome: 'applied' };
  // Another click decided it between our read and our write.
  return { approval: await repo.approvalById(approval.id), outcome: 'already_decided' };
}
