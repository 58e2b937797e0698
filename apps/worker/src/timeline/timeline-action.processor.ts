import { approvalActivityPayload } from '@b24app/approvals';
import type { Logger } from '@b24app/core';
import type { Approval, Db, TimelineEvent } from '@b24app/db';
import { type Bitrix24Error, isBitrix24Error, type PortalClient, type PortalClients } from '@b24app/bitrix24';
import type { ActionHandlerRegistry } from './action-handlers/index.js';
import { type ClickMetrics, noClickMetrics } from './click-metrics.js';
import type { ActivityLease } from './activity-lease.js';
import { type ClickPortal, createClickRepository } from './click.repository.js';
import { DelayJob, RetryLater } from './click-outcome.js';

export interface TimelineProcessorDeps {
  db: Db;
  clients: PortalClients;
  actions: ActionHandlerRegistry;
  logger: Logger;
  /** Serialises the clicks of one activity across every worker. */
  lease: ActivityLease;
  metrics?: ClickMetrics;
}

export interface ProcessOptions {
  /** The last attempt BullMQ will make: on a transient failure, show the error state instead of throwing. */
  finalAttempt: boolean;
}

const BUSY_RETRY_MS = 200;

const ERROR_TEXT = 'The decision could not be saved. Please try again.';

/**
 * Turns one recorded click into exactly one decision and an update of its activity.
 *
 * Clicks on one activity are serialised by a lease on (portal, activity), and
 * the job that gets the lease first processes every earlier unfinished click of that activity in
 * the order they were received. Each step is idempotent (a DONE click is skipped, the decision is
 * a conditional update, the layout is a pure function of the stored state), so BullMQ retries,
 * stalled-job re-runs after a crash, the relay and the sweeper may all run a click again safely.
 */
export function createTimelineActionProcessor(deps: TimelineProcessorDeps) {
  const { db, logger } = deps;
  const repo = createClickRepository(db);
  const metrics = deps.metrics ?? noClickMetrics;
  const names = new Map<string, string | undefined>();

  /** Resolves with the click's portal (member id) for the job's log line; undefined when there was nothing to do. */
  async function process(eventId: string, opts: ProcessOptions): Promise<string | undefined> {
    const loaded = await repo.loadClick(eventId);
    if (!loaded || loaded.event.state === 'DONE' || loaded.event.state === 'FAILED') return; // purged (CLEAN=1) or finished
    const { event, portal } = loaded;

    const held = await deps.lease.run(`${event.portalId}:${event.activityId}`, async () => {
      const queue = await repo.pendingClicks(event.portalId, event.activityId, event.receivedAt);
      for (const e of queue) await processOne(e, portal, opts);
    });
    // Another worker is on this card: it will take this click too if it came earlier; otherwise try shortly.
    if (held.busy) throw new DelayJob(BUSY_RETRY_MS, 'activity_busy');
    return portal.memberId;
  }

  async function processOne(event: TimelineEvent, portal: ClickPortal, opts: ProcessOptions): Promise<void> {
    await repo.markProcessing(event.id);
    const log = logger.child({
      eventId: event.id,
      memberId: portal.memberId,
      activityId: event.activityId,
      action: event.actionId,
    });
    if (portal.status !== 'ACTIVE') {
      // No tokens any more: nothing can update the card now. A reinstall requeues it (install.service.ts).
      return finish(event.id, 'FAILED', 'portal_gone', `portal is ${portal.status.toLowerCase()}`);
    }

    let client: PortalClient;
    try {
      client = await deps.clients.get(portal.memberId);
    } catch (e) {
      return handleFailure(event, e, null, opts, log);
    }

    const approval = await repo.approvalFor(portal.id, event.activityId);
    const lang = portal.language;
    const badgeCode = portal.badgeCode;

    try {
      if (!approval) {
        // Not one of our approvals (or its data was purged): re-send its layout so the lock clears.
        await releaseForeignActivity(client, event.activityId);
        log.warn('click on an activity without an approval: lock released');
        return finish(event.id, 'DONE', 'unknown_activity', null, true);
      }
      const handler = deps.actions.get(event.actionId);
      let current: Approval = approval;
      let outcome: string = 'unknown_action';
      if (handler) {
        const r = await handler.handle({
          repo,
          approval,
          event,
          userName: (id) => userName(client, portal.memberId, id),
        });
        current = r.approval;
        outcome = r.outcome;
      } else {
        log.warn('unknown action id: answering with the current layout');
      }
      const payload = approvalActivityPayload(current, { lang, badgeCode });
      await client.call('crm.activity.configurable.update', { id: event.activityId, ...payload });
      if (current.lastError) await repo.setLastError(current.id, null);
      await finish(event.id, 'DONE', outcome, null, true);
    } catch (e) {
      await handleFailure(event, e, approval ? { client, approval, lang, badgeCode } : null, opts, log);
    }
  }

  async function handleFailure(
    event: TimelineEvent,
    e: unknown,
    ctx: { client: PortalClient; approval: Approval; lang: string; badgeCode: string | null } | null,
    opts: ProcessOptions,
    log: Logger,
  ): Promise<void> {
    if (isBitrix24Error(e)) {
      const b = e as Bitrix24Error;
      switch (b.kind) {
        case 'NOT_FOUND':
          // The activity was deleted in the CRM: nothing left to unfreeze.
          log.info('activity is gone');
          return finish(event.id, 'DONE', 'activity_gone', b.message);
        case 'TOKEN_REVOKED':
        case 'PORTAL_UNAVAILABLE':
          return finish(event.id, 'FAILED', 'portal_gone', b.message);
        case 'RATE_LIMITED':
          await note(event.id, `rate limited: ${b.message}`);
          throw new DelayJob(b.retryAfterMs ?? 1_000, 'rate_limited');
        case 'TRANSIENT':
          if (!opts.finalAttempt) {
            await note(event.id, b.message);
            throw new RetryLater(b.message);
          }
          break; // out of retries: show the error state (the sweeper tries again if that fails too)
        default:
          break; // VALIDATION / ACCESS_DENIED: retrying the same request cannot help
      }
    } else {
      log.error({ err: e }, 'action handler failed');
    }
    await showErrorState(event, e, ctx, log);
  }

  /** The click could not be applied or shown: put the card in a visible error state with its buttons usable. */
  async function showErrorState(
    event: TimelineEvent,
    cause: unknown,
    ctx: { client: PortalClient; approval: Approval; lang: string; badgeCode: string | null } | null,
    log: Logger,
  ): Promise<void> {
    const reason = cause instanceof Error ? cause.message : String(cause);
    if (!ctx) {
      await note(event.id, reason);
      throw new RetryLater(reason);
    }
    // Decided already (by this click, before its update failed, or by another): there is no error to show and
    // nothing to click again; the "error state" is the decided layout, and the click keeps its outcome.
    const current = await db.approval.findUniqueOrThrow({ where: { id: ctx.approval.id } });
    const decided = current.state !== 'PENDING';
    const approval = decided
      ? current
      : await db.approval.update({ where: { id: current.id }, data: { lastError: ERROR_TEXT } });
    try {
      const payload = approvalActivityPayload(approval, {
        lang: ctx.lang,
        badgeCode: ctx.badgeCode,
        error: decided ? null : ERROR_TEXT,
      });
      await ctx.client.call('crm.activity.configurable.update', { id: event.activityId, ...payload });
      if (decided) {
        const recorded = await db.timelineEvent.findUnique({ where: { id: event.id }, select: { outcome: true } });
        log.warn({ reason }, 'decision shown on the last try');
        return finish(event.id, 'DONE', recorded?.outcome ?? 'already_decided', reason, true);
      }
      log.warn({ reason }, 'click ended in the error state');
      await finish(event.id, 'DONE', 'error_shown', reason, true);
    } catch (e) {
      if (isBitrix24Error(e) && e.kind === 'NOT_FOUND') return finish(event.id, 'DONE', 'activity_gone', e.message);
      // Even the error state could not be written: leave the click PROCESSING for the sweeper.
      await note(event.id, `error state not shown: ${(e as Error).message}`);
      throw new RetryLater(reason);
    }
  }

  async function releaseForeignActivity(client: PortalClient, activityId: number): Promise<void> {
    const got = await client.call<{ activity: { layout: unknown } }>('crm.activity.configurable.get', {
      id: activityId,
    });
    await client.call('crm.activity.configurable.update', { id: activityId, layout: got.activity.layout });
  }

  async function userName(client: PortalClient, memberId: string, userId: number): Promise<string | undefined> {
    const key = `${memberId}:${userId}`;
    if (names.has(key)) return names.get(key);
    try {
      const users = await client.call<{ NAME?: string; LAST_NAME?: string }[]>(
        'user.get',
        { ID: userId },
        { maxWaitMs: 1_000 },
      );
      const u = users?.[0];
      const name = u ? [u.NAME, u.LAST_NAME].filter(Boolean).join(' ').trim() || undefined : undefined;
      names.set(key, name);
      return name;
    } catch {
      return undefined; // a name is nice to have; the card shows "User #id" without it
    }
  }

  async function finish(id: string, state: 'DONE' | 'FAILED', outcome: string, error: string | null, updated = false) {
    const receivedAt = await repo.finish({ eventId: id, state, outcome, error, updated });
    if (receivedAt) metrics.finished(outcome, receivedAt, updated);
  }

  async function note(id: string, error: string) {
    await repo.note(id, error);
  }

  return { process };
}

export type TimelineActionProcessor = ReturnType<typeof createTimelineActionProcessor>;
