/**
 * `notify_requester`: tells the requester that their approval was decided: the decision, who made it, the comment,
 * and a link to the CRM item, in the portal's language. Born in the decision's statement (applyDecision), so it
 * can never block or undo the decision: it succeeds, retries or fails on its own row.
 */
import { portalOrigin, requesterNotification } from '@b24app/approvals';
import type { DeliveryHandler } from '../delivery-handler.js';
import { NOTIFICATION_MAX_ATTEMPTS, sendSystemNotification } from '../system-notification.js';

export function notifyRequesterHandler(): DeliveryHandler {
  return {
    kind: 'notify_requester',
    maxAttempts: NOTIFICATION_MAX_ATTEMPTS,
    async deliver(ctx) {
      const { approval, portal } = ctx;
      if (approval.state === 'PENDING') return { failed: 'not_decided', error: 'the approval is not decided' };
      if (approval.requesterId === null) return { failed: 'no_recipient', error: 'the approval has no requester' };
      const n = requesterNotification(approval, {
        lang: portal.language,
        portalUrl: portalOrigin(portal.clientEndpoint),
      });
      return sendSystemNotification(ctx, approval.requesterId, n);
    },
  };
}
