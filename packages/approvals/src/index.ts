export { type ActivityPayload, approvalActivityPayload, approvalView } from './approval-activity.js';
