import type { ActionContext, ActionResult } from './action-handler.js';

/**
 * Applies a decision once: the conditional update only matches a PENDING approval, so a second,
 * different click (or the same click replayed) never changes a decided approval.
 */
export async function decideApproval(ctx: ActionContext, state: 'APPROVED' | 'REJECTED'): Promise<ActionResult> {
  const { db, approval, event } = ctx;
  if (approval.state !== 'PENDING') return { approval, outcome: 'already_decided' };
  const name = await ctx.userName(event.userId);
  const changed = await db.approval.updateMany({
    where: { id: approval.id, state: 'PENDING' },
    data: { state, decidedById: event.userId, decidedByName: name ?? null, decidedAt: new Date(), lastError: null },
  });
  const fresh = await db.approval.findUniqueOrThrow({ where: { id: approval.id } });
  return { approval: fresh, outcome: changed.count === 1 ? 'applied' : 'already_decided' };
}
