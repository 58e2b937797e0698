/**
 * The approval creation job: adds the card of an approval left to it (a robot run's, an API or app page create) with
 * `crm.activity.configurable.add`, through the portal's shared limiter, at most once per approval.
 *
 * Only the holder of the row's add claim adds (the claim is atomic and expires, so a dead worker's lapses); an add
 * started before (its answer lost, its worker killed) makes the next holder look the activity up by its originId
 * first; an add whose outcome is unknown is resolved the same way before it counts as failed. What a failure
 * leads to: the portal's rate limit delays the job without spending an attempt; a refusal (the item is gone, the
 * payload is invalid, no access) ends the row as failed; anything transient is retried with BullMQ's backoff and,
 * after the last attempt, ends the row as failed too. A portal that is not ACTIVE is left alone: the creation relay
 * hands the row to a job again once it is.
 */
import { randomUUID } from 'node:crypto';
import { addApprovalActivity, approvalActivityPayload, cardOptionsOf, findActivityOf } from '@b24app/approvals';
import type { Logger } from '@b24app/core';
import type { ApprovalsRepository } from '@b24app/db';
import { isBitrix24Error, type PortalClients } from '@b24app/bitrix24';
import { DelayJob } from '../timeline/click-outcome.js';

export type CreateOutcome =
  | 'created'
  /** an earlier add's activity, found by originId */
  | 'found'
  /** settled before this job ran (another job, a duplicate) */
  | 'settled'
  /** given up: the portal refused, or the last attempt failed */
  | 'failed'
  /** the portal cannot be called now (not ACTIVE) */
  | 'portal_inactive'
  | 'gone';

export interface ApprovalCreateDeps {
  approvals: Pick<
    ApprovalsRepository,
    'withPortal' | 'takeAddClaim' | 'settleActivity' | 'releaseAddClaim' | 'noteCreateError' | 'failCreate'
  >;
  clients: Pick<PortalClients, 'get'>;
  logger: Logger;
  /** Longer than an add can take (every client attempt, each a slot wait and a request): only a dead holder's lapses. */
  claimTtlMs: number;
  /** How soon to look again while another add holds the claim. */
  busyRetryMs?: number;
}

const REFUSED = new Set(['NOT_FOUND', 'VALIDATION', 'ACCESS_DENIED']);

export function createApprovalCreateProcessor(deps: ApprovalCreateDeps) {
  const { approvals, logger } = deps;
  const busyRetryMs = deps.busyRetryMs ?? 1_000;

  async function process(
    approvalId: string,
    opts: { finalAttempt: boolean },
  ): Promise<{ outcome: CreateOutcome; memberId?: string; activityId?: number }> {
    const loaded = await approvals.withPortal(approvalId);
    if (!loaded) return { outcome: 'gone' };
    const { approval, portal } = loaded;
    const memberId = portal.memberId;
    if (approval.activityId !== null) return { outcome: 'settled', memberId, activityId: approval.activityId };
    if (approval.createFailedAt) return { outcome: 'failed', memberId };
    if (portal.status !== 'ACTIVE') return { outcome: 'portal_inactive', memberId };

    const claimId = randomUUID();
    const claim = await approvals.takeAddClaim(approvalId, claimId, deps.claimTtlMs);
    if (!claim.taken) throw new DelayJob(busyRetryMs, 'add_in_progress');
    const log = logger.child({ approvalId, memberId });

    let addCalled = false;
    let activityId: number | null = null;
    let found = false;
    try {
      const client = await deps.clients.get(memberId);
      // An add started before may have made the activity (its answer was lost, its worker died): look first.
      if (claim.earlierAdds > 0) {
        activityId = await findActivityOf(client, approvalId);
        found = activityId !== null;
      }
      if (activityId === null) {
        const payload = approvalActivityPayload(approval, cardOptionsOf(portal));
        addCalled = true;
        activityId = await addApprovalActivity(client, approval, payload);
      }
    } catch (e) {
      return failed(e, { addCalled, claimId, memberId, finalAttempt: opts.finalAttempt, log, approvalId });
    }
    const settled = await approvals.settleActivity(approvalId, activityId);
    if (!settled) {
      // Another add settled it first (only after our claim lapsed): ours is a second card for the same approval.
      log.error({ activityId }, 'approval already had its activity: a second one was added');
      return { outcome: 'settled', memberId, activityId };
    }
    log.info({ activityId, found }, 'approval created');
    return { outcome: found ? 'found' : 'created', memberId, activityId };
  }

  async function failed(
    e: unknown,
    c: {
      addCalled: boolean;
      claimId: string;
      memberId: string;
      finalAttempt: boolean;
      log: Logger;
      approvalId: string;
    },
  ): Promise<{ outcome: CreateOutcome; memberId: string }> {
    const message = e instanceof Error ? e.message : String(e);
    const b24 = isBitrix24Error(e) ? e : null;
    // The add certainly did not apply unless it was sent and its outcome is unknown: then the next holder looks
    // it up first (the row's add count says so); otherwise this add is not counted and the next holder just adds.
    const addMayHaveRun = c.addCalled && (b24 ? b24.maybeApplied : true);
    await approvals.releaseAddClaim(c.approvalId, c.claimId, { addMayHaveRun });
    if (b24?.kind === 'RATE_LIMITED') {
      throw new DelayJob(b24.retryAfterMs ?? 1_000, 'rate_limited');
    }
    if (b24 && REFUSED.has(b24.kind) && !(c.addCalled && b24.maybeApplied)) {
      await approvals.failCreate(c.approvalId, `${b24.b24Code ?? b24.kind}: ${message}`, b24.kind);
      c.log.warn({ reason: message, b24Code: b24.b24Code }, 'approval create refused by the portal');
      return { outcome: 'failed', memberId: c.memberId };
    }
    if (b24 && (b24.kind === 'TOKEN_REVOKED' || b24.kind === 'PORTAL_UNAVAILABLE')) {
      const now = await approvals.withPortal(c.approvalId);
      if (now && now.portal.status !== 'ACTIVE') {
        await approvals.noteCreateError(c.approvalId, message);
        c.log.warn({ reason: message }, 'portal is gone: the approval waits for a reinstall');
        return { outcome: 'portal_inactive', memberId: c.memberId };
      }
    }
    if (!b24) c.log.error({ err: e }, 'approval create failed unexpectedly');
    if (c.finalAttempt) {
      await approvals.failCreate(c.approvalId, `gave up after the last attempt: ${message}`, 'TRANSIENT');
      c.log.error({ reason: message }, 'approval create gave up');
      return { outcome: 'failed', memberId: c.memberId };
    }
    await approvals.noteCreateError(c.approvalId, message);
    throw e;
  }

  return { process };
}

export type ApprovalCreateProcessor = ReturnType<typeof createApprovalCreateProcessor>;
