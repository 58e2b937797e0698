/**
 * `callback`: tells the integration that created the approval about its decision, by a signed POST to the
 * approval's `callbackUrl` (contract, "Decision callbacks"): `{"id", "type": "approval.decided", "approval": …}`,
 * the approval as GET /api/v1/approvals/:id shows it, signed with the creating key's signing secret
 * (API_SIGNING_SECRET for the operator's API_TOKEN). The delivery row's id is the event id, the same on every
 * attempt (body `id` and header X-Approvals-Event-Id): delivery is at least once and the receiver dedupes on it.
 *
 * Any answer but a 2xx (timeout, unreachable, 5xx, 4xx, a redirect, an address refused at connect: DNS rebinding)
 * is retried on the callback schedule (exponential with jitter, capped at 1 h) until RETRY_WINDOW_MS (26 h)
 * after the decision, then the delivery ends `gave_up` with the last reason. A rebinding host may turn public
 * again, so a refused address is retried like the rest; it is never called meanwhile.
 */
import type { ApprovalDetails } from '@b24app/approvals';
import type { CallbackAttempt, CallbackDelivery } from '@b24app/callbacks';
import type { DeliveryHandler } from '../delivery-handler.js';

export interface CallbackHandlerDeps {
  /** The approval as the API shows it (null: deleted meanwhile). */
  details: (approvalId: string) => Promise<ApprovalDetails | null>;
  /** The signing secret of the key that created it (null: the operator's API_TOKEN, or a key now purged). */
  keySecret: (apiKeyId: string) => Promise<string | null>;
  /** API_SIGNING_SECRET; unset: approvals of API_TOKEN with a callbackUrl are refused at create. */
  operatorSecret: string | null;
  send: (d: CallbackDelivery) => Promise<CallbackAttempt>;
  retry: { delayMs(attempt: number): number; windowMs: number };
  /** Counts each attempt by how it went (`delivered` or the sender's error code). */
  observe?: (result: string) => void;
}

export function callbackHandler(deps: CallbackHandlerDeps): DeliveryHandler {
  return {
    kind: 'callback',
    retry: deps.retry,
    async deliver({ delivery, approval, log }) {
      if (!approval.callbackUrl) return { failed: 'no_callback_url', error: 'the approval has no callbackUrl' };
      if (approval.state === 'PENDING') return { failed: 'not_decided', error: 'the approval is not decided' };
      const secret = approval.apiKeyId ? await deps.keySecret(approval.apiKeyId) : deps.operatorSecret;
      if (!secret) {
        return {
          failed: 'no_signing_secret',
          error: approval.apiKeyId
            ? 'the API key that created the approval no longer exists'
            : 'API_SIGNING_SECRET is not set: callbacks of API_TOKEN approvals cannot be signed',
        };
      }
      const details = await deps.details(approval.id);
      if (!details) return { failed: 'approval_gone', error: 'the approval was deleted' };
      const body = JSON.stringify({ id: delivery.id, type: 'approval.decided', approval: details });
      const attempt = await deps.send({ url: approval.callbackUrl, body, secret, eventId: delivery.id });
      deps.observe?.(attempt.error ?? 'delivered');
      if (attempt.delivered) return { done: 'sent' };
      log.warn({ reason: attempt.error, status: attempt.status }, 'callback not delivered');
      return { retry: attempt.error ?? 'failed' };
    },
  };
}
