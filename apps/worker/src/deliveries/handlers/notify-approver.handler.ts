/**
 * `notify_approver`: tells the approver (responsibleId) that an approval waits for them, with the CRM item and a
 * link that opens it, in the portal's language. Owed once the approval's activity exists (born with the activity
 * id, in settleActivity's statement). Decided before it went out: no longer worth saying (done, skipped).
 */
import { approverNotification, portalOrigin } from '@b24app/approvals';
import type { DeliveryHandler } from '../delivery-handler.js';
import { NOTIFICATION_MAX_ATTEMPTS, sendSystemNotification } from '../system-notification.js';

export function notifyApproverHandler(): DeliveryHandler {
  return {
    kind: 'notify_approver',
    maxAttempts: NOTIFICATION_MAX_ATTEMPTS,
    async deliver(ctx) {
      const { approval, portal } = ctx;
      if (approval.responsibleId === null) return { failed: 'no_recipient', error: 'the approval has no approver' };
      if (approval.state !== 'PENDING') return { done: 'skipped', note: 'decided before its approver was told' };
      const n = approverNotification(approval, {
        lang: portal.language,
        portalUrl: portalOrigin(portal.clientEndpoint),
      });
      return sendSystemNotification(ctx, approval.responsibleId, n);
    },
  };
}
