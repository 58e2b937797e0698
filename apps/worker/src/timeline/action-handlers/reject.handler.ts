import { APPROVAL_ACTIONS } from '@b24app/approvals';
import type { ActionHandler } from './action-handler.js';
import { decideApproval } from './decide-approval.js';

export const rejectHandler: ActionHandler = {
  id: APPROVAL_ACTIONS.reject,
  handle: (ctx) => decideApproval(ctx, 'REJECTED'),
};
