// @b24app/approvals: the approval card (view, fields, layout, labels) as pure functions of the stored row,
// shared by the server (create) and the worker (every update). Built on the generic @b24app/layout model.

export type { ApprovalRow, ApprovalState, ApprovalUser, ApprovalView, ApprovalViewOptions } from './approval-view.js';
export { approvalView } from './approval-view.js';
export { APPROVAL_ACTIONS, approvalLayout, formatDecisionTime, REJECT_WITH_COMMENT } from './approval-layout.js';
export { APPROVAL_LABELS, type ApprovalLabel } from './approval-labels.js';
export {
  type ActivityOptions,
  type ActivityPayload,
  type ApprovalFields,
  approvalActivityFields,
  approvalActivityPayload,
  type CardSettings,
  cardOptionsOf,
} from './approval-activity.js';
export { approvalErrorStatePayload } from './approval-error-state.js';
export { approvalIdOfActivity, ORIGINATOR_ID } from './activity-origin.js';
export { type ActivityRestClient, addApprovalActivity, findActivityOf } from './activity-creator.js';
export {
  type ApprovalDetails,
  creationView,
  deliveriesView,
  loadApprovalDetails,
} from './approval-details.js';
export {
  type ApprovalNotification,
  approverNotification,
  crmItemPath,
  portalOrigin,
  requesterNotification,
} from './approval-notifications.js';
