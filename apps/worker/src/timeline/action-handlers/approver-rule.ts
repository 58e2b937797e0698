/**
 * The approver rule (contract "The approver and the decision"): when the approval names a responsible user, only
 * that user or a portal administrator decides; without one, any proven user of the portal does.
 */
import type { Approval } from '@b24app/db';
import type { ClickerProof } from '../clicking-user.js';

export type ApproverVerdict = 'may_decide' | 'not_approver' | 'unproven';

export function approverVerdict(
  approval: Pick<Approval, 'responsibleId'>,
  proof: ClickerProof | null,
): ApproverVerdict {
  if (!proof) return 'unproven';
  if (approval.responsibleId === null || approval.responsibleId === proof.userId || proof.isAdmin) return 'may_decide';
  return 'not_approver';
}
