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
  const { db, approval, event } = ctx;
  if (approval.state !== 'PENDING') {
    return { approval, outcome: event.outcome === 'applied' ? 'applied' : 'already_decided' };
  }
  const name = await ctx.userName(event.userId);
  const applied = await db.$transaction(async (tx) => {
    const changed = await tx.approval.updateMany({
      where: { id: approval.id, state: 'PENDING' },
      data: { state, decidedById: event.userId, decidedByName: name ?? null, decidedAt: new Date(), lastError: null },
    });
    if (changed.count === 1) await tx.timelineEvent.update({ where: { id: event.id }, data: { outcome: 'applied' } });
    return changed.count === 1;
  });
  const fresh = await db.approval.findUniqueOrThrow({ where: { id: approval.id } });
  return { approval: fresh, outcome: applied ? 'applied' : 'already_decided' };
}
