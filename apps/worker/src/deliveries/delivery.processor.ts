/**
 * One attempt of a decision delivery (a row of the outbox `approval_deliveries`), whatever its kind: claim the
 * attempt (the row is due again only after a lease, so a worker that dies mid-call leaves it to the relay), mark it
 * in doubt just before the call goes out, let the kind's handler deliver, and end the row: DONE, FAILED for good,
 * or due again later. Rate limits wait without spending an attempt; transient failures back off (doubling, at most
 * 10 min, or the kind's own schedule) until the kind's attempts (or retry window) are spent; a refusal from Bitrix24 that no retry can change ends it at once.
 * Every attempt is idempotent by the row: a duplicate job, a stalled re-run or a relay pass finds nothing to claim.
 */
import type { Logger } from '@b24app/core';
import type { ApprovalDeliveriesRepository, ApprovalsRepository } from '@b24app/db';
import { isBitrix24Error, type PortalClients } from '@b24app/bitrix24';
import type { DeliveryHandler, DeliveryHandlerRegistry, DeliveryResult } from './delivery-handler.js';

export type DeliveryOutcome = 'skipped' | 'done' | 'failed' | 'retry' | 'rate_limited';

/** One attempt's end; `ended`: the row's outcome (`sent`, `gave_up`, `refused`…) once it is DONE or FAILED. */
export interface DeliveryAttemptResult {
  outcome: DeliveryOutcome;
  kind?: string;
  memberId?: string;
  ended?: string;
}

export interface DeliveryProcessorDeps {
  deliveries: Pick<ApprovalDeliveriesRepository, 'claim' | 'markInDoubt' | 'markDone' | 'retryAt' | 'markFailed'>;
  approvals: Pick<ApprovalsRepository, 'withPortal'>;
  clients: Pick<PortalClients, 'get'>;
  handlers: DeliveryHandlerRegistry;
  logger: Logger;
  /** Longer than one attempt can take: a dead worker's attempt is due again after it. */
  leaseMs: number;
  /** The first retry's wait; it doubles per attempt, up to 10 min. */
  backoffMs: number;
  /** While the portal needs a reinstall, how long until the next look. */
  parkedMs?: number;
  now?: () => number;
}

const DEFAULT_MAX_ATTEMPTS = 30;
const MAX_BACKOFF_MS = 600_000;
/** Refusals no retry changes (the handler turns the ones it understands into a result first). */
const FINAL = new Set(['VALIDATION', 'NOT_FOUND', 'ACCESS_DENIED']);

export function createDeliveryProcessor(deps: DeliveryProcessorDeps) {
  const now = deps.now ?? Date.now;
  const parkedMs = deps.parkedMs ?? 60_000;
  const backoff = (attempt: number) => Math.min(deps.backoffMs * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_MS);

  async function process(deliveryId: string): Promise<DeliveryAttemptResult> {
    const row = await deps.deliveries.claim(deliveryId, deps.leaseMs);
    if (!row) return { outcome: 'skipped' }; // done, failed, not due, or another attempt holds it
    const log = deps.logger.child({ deliveryId, kind: row.kind, approvalId: row.approvalId, attempt: row.attempts });
    const handler = deps.handlers.get(row.kind);
    if (!handler) {
      await deps.deliveries.markFailed(row.id, 'unknown_kind', `no handler for delivery kind ${row.kind}`);
      log.error('delivery of an unknown kind');
      return { outcome: 'failed', kind: row.kind, ended: 'unknown_kind' };
    }
    const loaded = await deps.approvals.withPortal(row.approvalId);
    if (!loaded) {
      await deps.deliveries.markFailed(row.id, 'approval_gone', 'the approval was deleted');
      return { outcome: 'failed', kind: row.kind, ended: 'approval_gone' };
    }
    const { approval, portal } = loaded;
    const memberId = portal.memberId;
    if (portal.status === 'UNINSTALLED') {
      await deps.deliveries.markFailed(row.id, 'portal_gone', 'the app was uninstalled from the portal');
      log.warn({ memberId }, 'delivery dropped: the portal uninstalled the app');
      return { outcome: 'failed', kind: row.kind, memberId, ended: 'portal_gone' };
    }
    if (portal.status !== 'ACTIVE') {
      // No tokens until a reinstall: look again later, without spending the attempt.
      await deps.deliveries.retryAt(row.id, {
        at: new Date(now() + parkedMs),
        error: `portal is ${portal.status.toLowerCase()}`,
        inDoubt: row.inDoubt,
        giveBack: true,
      });
      return { outcome: 'retry', kind: row.kind, memberId };
    }

    let result: DeliveryResult;
    let calling = false;
    try {
      const client = await deps.clients.get(memberId);
      // From here the recipient may get it even if we never learn so (lost answer, killed worker).
      await deps.deliveries.markInDoubt(row.id);
      calling = true;
      result = await handler.deliver({ delivery: row, approval, portal, client, inDoubt: row.inDoubt, log });
    } catch (e) {
      return { ...(await onError(e, row, { handler, calling }, log)), kind: row.kind, memberId };
    }
    if ('done' in result) {
      await deps.deliveries.markDone(row.id, result.done, result.note ?? null);
      log.info({ memberId, outcome: result.done }, 'delivered');
      return { outcome: 'done', kind: row.kind, memberId, ended: result.done };
    }
    if ('retry' in result) {
      return { ...(await retryLater(row, handler, result.retry, true, log)), kind: row.kind, memberId };
    }
    await deps.deliveries.markFailed(row.id, result.failed, result.error);
    log.warn({ memberId, outcome: result.failed, reason: result.error }, 'delivery ended undelivered');
    return { outcome: 'failed', kind: row.kind, memberId, ended: result.failed };
  }

  /** Due again after the kind's backoff, or given up once its attempts (or its retry window) are spent. */
  async function retryLater(
    row: { id: string; attempts: number; inDoubt: boolean; createdAt: Date },
    handler: DeliveryHandler,
    error: string,
    inDoubt: boolean,
    log: Logger,
  ): Promise<{ outcome: DeliveryOutcome; ended?: string }> {
    const spent = handler.retry
      ? now() - row.createdAt.getTime() >= handler.retry.windowMs
      : row.attempts >= (handler.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    if (spent) {
      await deps.deliveries.markFailed(row.id, 'gave_up', `gave up after ${row.attempts} attempts: ${error}`);
      log.error({ reason: error }, 'delivery given up');
      return { outcome: 'failed', ended: 'gave_up' };
    }
    const wait = handler.retry ? handler.retry.delayMs(row.attempts) : backoff(row.attempts);
    await deps.deliveries.retryAt(row.id, { at: new Date(now() + wait), error, inDoubt });
    return { outcome: 'retry' };
  }

  async function onError(
    e: unknown,
    row: { id: string; attempts: number; inDoubt: boolean; createdAt: Date },
    o: { handler: DeliveryHandler; calling: boolean },
    log: Logger,
  ): Promise<{ outcome: DeliveryOutcome; ended?: string }> {
    const message = e instanceof Error ? e.message : String(e);
    const b24 = isBitrix24Error(e) ? e : null;
    // Only a call that may have been applied leaves the delivery in doubt; an unexpected error while calling is
    // taken as one.
    const inDoubt = row.inDoubt || (o.calling && (b24 ? b24.maybeApplied : true));
    if (b24?.kind === 'RATE_LIMITED') {
      const at = new Date(now() + (b24.retryAfterMs ?? 1_000));
      await deps.deliveries.retryAt(row.id, { at, error: `rate limited: ${message}`, inDoubt, giveBack: true });
      return { outcome: 'rate_limited' };
    }
    if (b24 && FINAL.has(b24.kind)) {
      await deps.deliveries.markFailed(row.id, 'rejected', `${b24.b24Code ?? b24.kind}: ${message}`);
      log.warn({ reason: message, b24Code: b24.b24Code }, 'delivery refused by the portal');
      return { outcome: 'failed', ended: 'rejected' };
    }
    if (!b24) log.error({ err: e }, 'delivery failed unexpectedly');
    return retryLater(row, o.handler, message, inDoubt, log);
  }

  return { process };
}

export type DeliveryProcessor = ReturnType<typeof createDeliveryProcessor>;
