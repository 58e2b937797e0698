/**
 * One im.notify.system.add for a notification delivery (notify_approver, notify_requester), through the portal's
 * client (the app's token, paced by the portal's limiter). Outcomes a retry cannot change end the delivery: the app
 * lacks the `im` scope (`no_scope`: the portal admin has to grant it), or Bitrix24 made no notification (`result`
 * false: a recipient it does not know). Everything else is the processor's (rate limits, transient errors, backoff).
 * A repeated send after a lost answer carries the same TAG, so Bitrix24 replaces the first instead of doubling it.
 */
import { isBitrix24Error } from '@b24app/bitrix24';
import type { ApprovalNotification } from '@b24app/approvals';
import type { DeliveryContext, DeliveryResult } from './delivery-handler.js';

export const NOTIFICATION_MAX_ATTEMPTS = 5;

export async function sendSystemNotification(
  ctx: Pick<DeliveryContext, 'client'>,
  userId: number,
  n: ApprovalNotification,
): Promise<DeliveryResult> {
  let result: unknown;
  try {
    result = await ctx.client.call(
      'im.notify.system.add',
      { USER_ID: userId, MESSAGE: n.message, MESSAGE_OUT: n.messageOut, TAG: n.tag },
      // not idempotent by itself; the TAG makes a repeat harmless
      { idempotent: false },
    );
  } catch (e) {
    if (isBitrix24Error(e) && (e.b24Code === 'insufficient_scope' || e.b24Code === 'WRONG_AUTH_TYPE')) {
      return { failed: 'no_scope', error: `the app may not send notifications (${e.b24Code}): grant it the im scope` };
    }
    throw e;
  }
  if (result === false) {
    return { failed: 'not_created', error: `Bitrix24 made no notification for user ${userId}` };
  }
  return { done: 'sent' };
}
