export { type ActivityPayload, approvalActivityPayload, approvalView } from './approval-activity.js';
export { approvalErrorStatePayload } from './approval-error-state.js';
export { approvalIdOfActivity, ORIGINATOR_ID } from './activity-origin.js';
