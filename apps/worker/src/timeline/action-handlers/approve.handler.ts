import { APPROVAL_ACTIONS } from '@b24app/approvals';
import type { ActionHandler } from './action-handler.js';
import { decideApproval } from './decide-approval.js';

export const approveHandler: ActionHandler = {
  id: APPROVAL_ACTIONS.approve,
  handle: (ctx) => decideApproval(ctx, 'APPROVED'),
};
