/**
 * Turns one recorded click into exactly one decision and an update of its activity.
 *
 * Clicks on one activity are serialised by a lease on (portal, activity), and the job that gets the lease first
 * processes every earlier unfinished click of that activity in the order they were received. Each step is
 * idempotent (a DONE click is skipped, the decision is a conditional update, the layout is a pure function of
 * the stored state), so BullMQ retries, stalled-job re-runs after a crash, the relay and the sweeper may all run
 * a click again safely. What a failure leads to is decided by `decideFailure` (failure-decision.ts).
 */
import {
  type ActivityOptions,
  approvalActivityPayload,
  approvalErrorStatePayload,
  approvalIdOfActivity,
  cardOptionsOf,
} from '@b24app/approvals';
import type { Logger } from '@b24app/core';
import type { Approval, ClickOutcome, ClickRecord } from '@b24app/db';
import { isBitrix24Error, type PortalClient, type PortalClients } from '@b24app/bitrix24';
import type { ActionHandlerRegistry } from './action-handlers/index.js';
import { adminDecides, approverVerdict } from './action-handlers/approver-rule.js';
import { decisionCommentOf } from './action-handlers/decision-comment.js';
import type { ActivityLease } from './activity-lease.js';
import { type ClickMetrics, noClickMetrics } from './click-metrics.js';
import type { ClickerProof } from './clicking-user.js';
import type { ClickPortal, ClickRepository } from './click.repository.js';
import { DelayJob, RetryLater } from './click-outcome.js';
import { decideFailure, type FailureFacts } from './failure-decision.js';
import { createUserNameCache, type UserNameCache } from './user-name-cache.js';

export interface TimelineProcessorDeps {
  repo: ClickRepository;
  clients: Pick<PortalClients, 'get'>;
  actions: ActionHandlerRegistry;
  logger: Logger;
  /** Serialises the clicks of one activity across every worker. */
  lease: ActivityLease;
  metrics?: ClickMetrics;
  names?: UserNameCache;
  /** Who clicked, as Bitrix24 proves it from the delivery's own token (null: not proven). */
  clicker: (
    event: ClickRecord,
    portal: ClickPortal,
    /** Whether the clicking user's admin flag can change the outcome (it costs a portal call to learn). */
    adminMatters: (userId: number) => boolean,
  ) => Promise<ClickerProof | null>;
}

export interface ProcessOptions {
  /** The last attempt BullMQ will make: on a transient failure, show the error state instead of throwing. */
  finalAttempt: boolean;
}

const BUSY_RETRY_MS = 200;

const ERROR_TEXT = 'The decision could not be saved. Please try again.';
const NOT_APPROVER_TEXT = 'Only the approver or a portal administrator can decide this request.';
const UNPROVEN_TEXT = 'We could not confirm who clicked. Please open the card and try again.';

interface CardContext {
  client: PortalClient;
  approval: Approval;
  /** The portal's card settings, the same on every rebuild as on the create. */
  card: Pick<ActivityOptions, 'lang' | 'badgeCode' | 'iconCode' | 'logoCode' | 'pingOffsets' | 'rejectCommentRequired'>;
}

export function createTimelineActionProcessor(deps: TimelineProcessorDeps) {
  const { repo, logger } = deps;
  const metrics = deps.metrics ?? noClickMetrics;
  const names = deps.names ?? createUserNameCache();

  /** Resolves with the click's portal (member id) for the job's log line; undefined when there was nothing to do. */
  async function process(eventId: string, opts: ProcessOptions): Promise<string | undefined> {
    const loaded = await repo.loadClick(eventId);
    if (!loaded || loaded.event.state === 'DONE' || loaded.event.state === 'FAILED') return; // purged (CLEAN=1) or finished
    const { event, portal } = loaded;

    const held = await deps.lease.run(`${event.portalId}:${event.activityId}`, async () => {
      const queue = await repo.pendingOnActivity(event.portalId, event.activityId, event.receivedAt);
      for (const e of queue) await processOne(e, portal, opts);
    });
    // Another worker is on this card: it will take this click too if it came earlier; otherwise try shortly.
    if (held.busy) throw new DelayJob(BUSY_RETRY_MS, 'activity_busy');
    return portal.memberId;
  }

  async function processOne(event: ClickRecord, portal: ClickPortal, opts: ProcessOptions): Promise<void> {
    await repo.claim(event.id);
    const log = logger.child({
      eventId: event.id,
      memberId: portal.memberId,
      activityId: event.activityId,
      action: event.actionId,
    });
    if (portal.status !== 'ACTIVE') {
      // No tokens any more: nothing can update the card now. A reinstall requeues it (requeueAfterReinstall).
      return finish(event.id, 'portal_gone', `portal is ${portal.status.toLowerCase()}`);
    }

    let client: PortalClient;
    try {
      client = await deps.clients.get(portal.memberId);
    } catch (e) {
      return handleFailure(event, portal, e, null, opts, log);
    }

    const approval = await repo.approvalFor(portal.id, event.activityId);
    const card = cardOptionsOf(portal);

    try {
      if (!approval) {
        const got = await client.call<{ activity: { layout: unknown; fields?: Record<string, unknown> } }>(
          'crm.activity.configurable.get',
          { id: event.activityId },
        );
        const origin = approvalIdOfActivity(got.activity.fields);
        if (origin && (await repo.createPending(portal.id, origin))) {
          // Ours, and its add has not stored the activity id yet (a lost or slow answer): wait for it.
          await repo.note(event.id, 'waiting for the approval create to store its activity id');
          throw new RetryLater('approval create in flight');
        }
        // Not one of our approvals (or its data was purged): re-send its layout so the lock clears.
        // `fields` is required on update: only `completed`, as stored, so nothing else about it changes.
        await client.call('crm.activity.configurable.update', {
          id: event.activityId,
          fields: { completed: got.activity.fields?.completed === true },
          layout: got.activity.layout,
        });
        log.warn('click on an activity without an approval: lock released');
        return finish(event.id, 'unknown_activity', null, true);
      }
      const handler = deps.actions.get(event.actionId);
      let current: Approval = approval;
      let outcome: ClickOutcome = 'unknown_action';
      let note: string | undefined;
      let decider = event;
      if (handler && approval.state === 'PENDING') {
        // A decision is applied only for a user Bitrix24 vouches for, and only by the approver or an admin.
        const proof = await deps.clicker(event, portal, (userId) => adminDecides(approval, userId));
        const verdict = approverVerdict(approval, proof);
        if (!proof || verdict !== 'may_decide') {
          const note = verdict === 'unproven' ? UNPROVEN_TEXT : NOT_APPROVER_TEXT;
          const payload = approvalActivityPayload(approval, { ...card, error: note });
          await client.call('crm.activity.configurable.update', { id: event.activityId, ...payload });
          log.warn(
            { verdict, claimedUserId: event.userId, provenUserId: proof?.userId ?? null },
            'click may not decide',
          );
          return finish(event.id, verdict === 'unproven' ? 'user_unproven' : 'not_approver', null, true);
        }
        decider = { ...event, userId: proof.userId };
      }
      if (handler) {
        const r = await handler.handle({
          repo,
          approval,
          event: decider,
          comment: decisionCommentOf(event),
          rejectCommentRequired: portal.rejectCommentRequired,
          userName: (id) => userName(client, portal.memberId, id),
        });
        current = r.approval;
        outcome = r.outcome;
        note = r.note;
      } else {
        log.warn('unknown action id: answering with the current layout');
      }
      const payload = approvalActivityPayload(current, { ...card, ...(note ? { error: note } : {}) });
      await client.call('crm.activity.configurable.update', { id: event.activityId, ...payload });
      if (current.lastError) await repo.setLastError(current.id, null);
      await finish(event.id, outcome, null, true);
    } catch (e) {
      if (e instanceof RetryLater) throw e;
      await handleFailure(event, portal, e, approval ? { client, approval, card } : null, opts, log);
    }
  }

  async function handleFailure(
    event: ClickRecord,
    portal: ClickPortal,
    e: unknown,
    ctx: CardContext | null,
    opts: ProcessOptions,
    log: Logger,
  ): Promise<void> {
    const message = e instanceof Error ? e.message : String(e);
    const facts: Omit<FailureFacts, 'finalAttempt' | 'portalActive'> = isBitrix24Error(e)
      ? { kind: e.kind, b24Code: e.b24Code, retryAfterMs: e.retryAfterMs }
      : { kind: 'UNEXPECTED' };
    if (facts.kind === 'UNEXPECTED') log.error({ err: e }, 'action handler failed');
    // Only the portal row can say the portal is gone; read it again after an auth or availability failure.
    const portalActive =
      facts.kind === 'TOKEN_REVOKED' || facts.kind === 'PORTAL_UNAVAILABLE'
        ? (await repo.portalStatus(event.portalId)) === 'ACTIVE'
        : true;
    const decision = decideFailure({ ...facts, finalAttempt: opts.finalAttempt, portalActive });
    switch (decision.do) {
      case 'done':
        log.info('activity is gone');
        return finish(event.id, decision.outcome, message);
      case 'failed':
        log.warn({ reason: message }, 'portal is gone: click kept for a reinstall');
        return finish(event.id, decision.outcome, message);
      case 'delay':
        await repo.yieldToRateLimit(event.id, `rate limited: ${message}`);
        throw new DelayJob(decision.ms, decision.reason, decision.reserveSlot ? portal.memberId : undefined);
      case 'retry':
        await repo.note(event.id, message);
        throw new RetryLater(message);
      case 'error_state':
        return showErrorState(event, message, ctx, log, facts.kind === 'VALIDATION');
    }
  }

  /**
   * The click could not be applied or shown: put the card in a visible error state with its buttons usable. When
   * the portal rejected our update as invalid, the same fields and layout would be rejected again: the minimal,
   * validated error payload goes instead (first, or after the full one is rejected too).
   */
  async function showErrorState(
    event: ClickRecord,
    reason: string,
    ctx: CardContext | null,
    log: Logger,
    rejectedAsInvalid: boolean,
  ): Promise<void> {
    if (!ctx) {
      await repo.note(event.id, reason);
      throw new RetryLater(reason);
    }
    // Decided already (by this click, before its update failed, or by another): there is no error to show and
    // nothing to click again; the "error state" is the decided layout, and the click keeps its outcome.
    const current = await repo.approvalById(ctx.approval.id);
    const decided = current.state !== 'PENDING';
    const approval = decided ? current : await repo.setLastError(current.id, ERROR_TEXT);
    const full = () =>
      approvalActivityPayload(approval, {
        ...ctx.card,
        error: decided ? null : ERROR_TEXT,
      });
    const minimal = () => approvalErrorStatePayload(approval, { lang: ctx.card.lang ?? 'en', error: ERROR_TEXT });
    const payloads = rejectedAsInvalid ? [minimal] : [full, minimal];
    try {
      for (const [i, payload] of payloads.entries()) {
        try {
          await ctx.client.call('crm.activity.configurable.update', { id: event.activityId, ...payload() });
          break;
        } catch (e) {
          if (!(isBitrix24Error(e) && e.kind === 'VALIDATION' && i < payloads.length - 1)) throw e;
        }
      }
      if (decided) {
        log.warn({ reason }, 'decision shown on the last try');
        return finish(event.id, (await repo.outcomeOf(event.id)) ?? 'already_decided', reason, true);
      }
      log.warn({ reason }, 'click ended in the error state');
      await finish(event.id, 'error_shown', reason, true);
    } catch (e) {
      if (isBitrix24Error(e) && e.kind === 'NOT_FOUND') return finish(event.id, 'activity_gone', e.message);
      // Even the error state could not be written: leave the click PROCESSING for the sweeper.
      await repo.note(event.id, `error state not shown: ${(e as Error).message}`);
      throw new RetryLater(reason);
    }
  }

  async function userName(client: PortalClient, memberId: string, userId: number): Promise<string | undefined> {
    try {
      return await names.get(memberId, userId, async () => {
        // The client's default (short) wait: a name is not worth holding a worker slot for; "User #id" instead.
        const users = await client.call<{ NAME?: string; LAST_NAME?: string }[]>('user.get', { ID: userId });
        const u = users?.[0];
        return u ? [u.NAME, u.LAST_NAME].filter(Boolean).join(' ').trim() || undefined : undefined;
      });
    } catch {
      return undefined; // a name is nice to have; the card shows "User #id" without it
    }
  }

  async function finish(id: string, outcome: ClickOutcome, error: string | null, updated = false) {
    const receivedAt = await repo.finish({ eventId: id, outcome, error, updated });
    if (receivedAt) metrics.finished(outcome, receivedAt, updated);
  }

  return { process };
}

export type TimelineActionProcessor = ReturnType<typeof createTimelineActionProcessor>;
