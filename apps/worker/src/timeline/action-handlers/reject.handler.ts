import { APPROVAL_ACTIONS } from '@b24app/approvals';
import type { ActionHandler } from './action-handler.js';
import { decideApproval } from './decide-approval.js';

export const COMMENT_REQUIRED_TEXT = 'A comment is required to reject: use Reject to open the form and give a reason.';

/**
 * Rejects once. When the portal requires a comment, a reject without one (a restEvent of a card drawn before the
 * setting, or a forged delivery) decides nothing: the approval stays pending and the rebuilt card offers the
 * reject form.
 */
export const rejectHandler: ActionHandler = {
  id: APPROVAL_ACTIONS.reject,
  handle: async (ctx) => {
    if (ctx.rejectCommentRequired && !ctx.comment && ctx.approval.state === 'PENDING') {
      return { approval: ctx.approval, outcome: 'comment_required', note: COMMENT_REQUIRED_TEXT };
    }
    return decideApproval(ctx, 'REJECTED');
  },
};
