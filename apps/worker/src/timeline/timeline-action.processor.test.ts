import { createLogger } from '@b24app/core';
import { describe, expect, it } from 'vitest';
import { approval, b24Error, click, directLease, fakeRepo, PORTAL, scriptedClient } from '../../test/click-fakes.js';
import { defaultActionRegistry } from './action-handlers/index.js';
import { DelayJob, RetryLater } from './click-outcome.js';
import type { ClickerProof } from './clicking-user.js';
import type { ClickPortal } from './click.repository.js';
import { createTimelineActionProcessor } from './timeline-action.processor.js';

const logger = createLogger({ level: 'silent' });
const UPDATE = 'crm.activity.configurable.update';

function setup(
  opts: {
    script?: Parameters<typeof scriptedClient>[0];
    approvals?: ReturnType<typeof approval>[];
    clicks?: ReturnType<typeof click>[];
    busy?: boolean;
    proof?: ClickerProof | null;
    portal?: Partial<ClickPortal>;
  } = {},
) {
  const store = fakeRepo({
    clicks: opts.clicks ?? [click()],
    approvals: opts.approvals ?? [approval()],
    portal: { ...PORTAL, ...opts.portal },
  });
  const portal = scriptedClient({ 'user.get': [[{ NAME: 'Ann', LAST_NAME: 'Lee' }]], ...opts.script });
  const processor = createTimelineActionProcessor({
    repo: store.repo,
    clients: portal.clients,
    actions: defaultActionRegistry(),
    lease: directLease(opts.busy),
    logger,
    clicker: async (event) => (opts.proof === undefined ? { userId: event.userId, isAdmin: false } : opts.proof),
  });
  const updates = () => portal.calls.filter((c) => c.method === UPDATE);
  return { ...store, ...portal, processor, updates };
}

const layoutText = (params: Record<string, unknown>) => JSON.stringify(params.layout);

describe('click processor (fakes, no emulator)', () => {
  it('applies an approve click once and updates the card with the decision', async () => {
    const t = setup();
    await t.processor.process('e1', { finalAttempt: false });
    expect(t.approvals.get('a1')).toMatchObject({ state: 'APPROVED', decidedById: 7, decidedByName: 'Ann Lee' });
    expect(t.clicks.get('e1')).toMatchObject({ state: 'DONE', outcome: 'applied', attempts: 1 });
    expect(t.updates()).toHaveLength(1);
    expect(t.updates()[0]?.params.id).toBe(100);
  });

  it("the rebuilt card keeps the portal's card settings (logo, language) that the create used", async () => {
    const t = setup({ portal: { logoCode: 'document', language: 'ru', badgeCode: 'approval_pending' } });
    await t.processor.process('e1', { finalAttempt: false });
    const sent = t.updates()[0]?.params as { layout: { body?: { logo?: { code?: string } } }; fields: object };
    expect(sent.layout.body?.logo?.code).toBe('document');
    expect(layoutText(sent)).toContain('Согласовано');
    expect(sent.fields).toMatchObject({ completed: true, badgeCode: '' }); // decided: the pending badge goes
  });

  it('a second click on a decided approval is already_decided and re-sends the decided card', async () => {
    const t = setup({ approvals: [approval({ state: 'REJECTED', decidedById: 3 })] });
    await t.processor.process('e1', { finalAttempt: false });
    expect(t.approvals.get('a1')?.state).toBe('REJECTED');
    expect(t.clicks.get('e1')).toMatchObject({ state: 'DONE', outcome: 'already_decided' });
  });

  it('processes the earlier unfinished clicks of the card first, in order', async () => {
    const t = setup({
      clicks: [
        click({ id: 'e0', actionId: 'reject', receivedAt: new Date('2026-01-01T00:00:00Z') }),
        click({ id: 'e1', actionId: 'approve' }),
      ],
    });
    await t.processor.process('e1', { finalAttempt: false });
    expect(t.approvals.get('a1')?.state).toBe('REJECTED');
    expect(t.clicks.get('e0')?.outcome).toBe('applied');
    expect(t.clicks.get('e1')?.outcome).toBe('already_decided');
  });

  it('skips a finished or purged click', async () => {
    const t = setup({ clicks: [click({ state: 'DONE', outcome: 'applied' })] });
    await t.processor.process('e1', { finalAttempt: false });
    await t.processor.process('gone', { finalAttempt: false });
    expect(t.calls).toHaveLength(0);
  });

  it('another worker holds the card: the job is delayed without touching the click', async () => {
    const t = setup({ busy: true });
    await expect(t.processor.process('e1', { finalAttempt: false })).rejects.toMatchObject({
      name: 'DelayJob',
      reason: 'activity_busy',
    });
    expect(t.clicks.get('e1')?.attempts).toBe(0);
  });

  it('a portal that is not active ends FAILED portal_gone without calling it', async () => {
    const t = setup();
    t.repo.portal.status = 'UNINSTALLED';
    await t.processor.process('e1', { finalAttempt: false });
    expect(t.clicks.get('e1')).toMatchObject({ state: 'FAILED', outcome: 'portal_gone' });
    expect(t.calls).toHaveLength(0);
  });

  it('a click on an activity that is not ours re-sends its own layout: unknown_activity', async () => {
    const t = setup({
      approvals: [],
      script: { 'crm.activity.configurable.get': [{ activity: { layout: { header: { title: 'x' } } } }] },
    });
    await t.processor.process('e1', { finalAttempt: false });
    expect(t.updates()[0]?.params).toEqual({
      id: 100,
      fields: { completed: false },
      layout: { header: { title: 'x' } },
    });
    expect(t.clicks.get('e1')?.outcome).toBe('unknown_activity');
  });

  it('a click that comes before its approval stored the activity id waits for the create (not unknown_activity)', async () => {
    const a = approval({ id: '5f0c3e7a-1b2c-4d5e-8f90-123456789abc', activityId: null });
    const t = setup({
      approvals: [a],
      script: {
        'crm.activity.configurable.get': [
          {
            activity: { layout: { header: { title: 'x' } }, fields: { originatorId: 'b24-approvals', originId: a.id } },
          },
        ],
      },
    });
    await expect(t.processor.process('e1', { finalAttempt: false })).rejects.toBeInstanceOf(RetryLater);
    expect(t.updates()).toHaveLength(0);
    expect(t.clicks.get('e1')?.state).toBe('PROCESSING');
    // The create stores its id: the retry decides.
    t.approvals.set(a.id, { ...a, activityId: 100 });
    await t.processor.process('e1', { finalAttempt: false });
    expect(t.clicks.get('e1')).toMatchObject({ state: 'DONE', outcome: 'applied' });
  });

  it('an unknown action id answers with the current card', async () => {
    const t = setup({ clicks: [click({ actionId: 'archive' })] });
    await t.processor.process('e1', { finalAttempt: false });
    expect(t.approvals.get('a1')?.state).toBe('PENDING');
    expect(t.clicks.get('e1')?.outcome).toBe('unknown_action');
    expect(t.updates()).toHaveLength(1);
  });

  describe('who clicked (proven with Bitrix24) and the approver rule', () => {
    it('the decision is recorded for the proven user, not the claimed one', async () => {
      const t = setup({ clicks: [click({ userId: 7 })], proof: { userId: 8, isAdmin: false } });
      await t.processor.process('e1', { finalAttempt: false });
      expect(t.approvals.get('a1')).toMatchObject({ state: 'APPROVED', decidedById: 8 });
    });

    it('someone other than the responsible user: pending, a note on the card, buttons usable', async () => {
      const t = setup({ approvals: [approval({ responsibleId: 5 })], proof: { userId: 8, isAdmin: false } });
      await t.processor.process('e1', { finalAttempt: false });
      expect(t.approvals.get('a1')).toMatchObject({ state: 'PENDING', lastError: null });
      expect(t.clicks.get('e1')).toMatchObject({ state: 'DONE', outcome: 'not_approver' });
      const layout = layoutText(t.updates()[0]?.params ?? {});
      expect(layout).toContain('Only the approver');
      expect(layout).toContain('"approve"');
    });

    it('the responsible user or a portal admin decides', async () => {
      const own = setup({ approvals: [approval({ responsibleId: 5 })], proof: { userId: 5, isAdmin: false } });
      await own.processor.process('e1', { finalAttempt: false });
      expect(own.approvals.get('a1')?.state).toBe('APPROVED');
      const admin = setup({ approvals: [approval({ responsibleId: 5 })], proof: { userId: 1, isAdmin: true } });
      await admin.processor.process('e1', { finalAttempt: false });
      expect(admin.approvals.get('a1')).toMatchObject({ state: 'APPROVED', decidedById: 1 });
    });

    it('a token Bitrix24 does not accept decides nothing: user_unproven, note, buttons usable', async () => {
      const t = setup({ proof: null });
      await t.processor.process('e1', { finalAttempt: false });
      expect(t.approvals.get('a1')?.state).toBe('PENDING');
      expect(t.clicks.get('e1')?.outcome).toBe('user_unproven');
      expect(layoutText(t.updates()[0]?.params ?? {})).toContain('could not confirm who clicked');
    });

    it('a proof that fails transiently is retried like any portal call', async () => {
      const t = setup();
      const processor = createTimelineActionProcessor({
        repo: t.repo,
        clients: t.clients,
        actions: defaultActionRegistry(),
        lease: directLease(),
        logger,
        clicker: async () => Promise.reject(b24Error('TRANSIENT')),
      });
      await expect(processor.process('e1', { finalAttempt: false })).rejects.toBeInstanceOf(RetryLater);
      expect(t.approvals.get('a1')?.state).toBe('PENDING');
    });
  });

  describe('decisions with a comment (the app page) and the "comment required to reject" setting', () => {
    const pageReject = (over: Parameters<typeof click>[0] = {}) =>
      click({
        actionId: 'reject',
        source: 'APP_PAGE',
        params: { approvalId: 'a1', comment: ' Too expensive ' },
        ...over,
      });

    it('a decision from the app page rejects once with its comment; the card shows it', async () => {
      const t = setup({ clicks: [pageReject()], portal: { rejectCommentRequired: true } });
      await t.processor.process('e1', { finalAttempt: false });
      expect(t.approvals.get('a1')).toMatchObject({
        state: 'REJECTED',
        decidedById: 7,
        decisionComment: 'Too expensive',
      });
      expect(t.clicks.get('e1')).toMatchObject({ state: 'DONE', outcome: 'applied' });
      expect(t.updates()).toHaveLength(1);
      expect(layoutText(t.updates()[0]?.params ?? {})).toContain('Too expensive');
    });

    it('a comment in a restEvent delivery is not the decider’s: it is ignored', async () => {
      const t = setup({ clicks: [click({ actionId: 'reject', params: { approvalId: 'a1', comment: 'forged' } })] });
      await t.processor.process('e1', { finalAttempt: false });
      expect(t.approvals.get('a1')).toMatchObject({ state: 'REJECTED', decisionComment: null });
    });

    it('comment required: a restEvent reject decides nothing, the card says so and offers the reject form', async () => {
      const t = setup({ clicks: [click({ actionId: 'reject' })], portal: { rejectCommentRequired: true } });
      await t.processor.process('e1', { finalAttempt: false });
      expect(t.approvals.get('a1')?.state).toBe('PENDING');
      expect(t.clicks.get('e1')).toMatchObject({ state: 'DONE', outcome: 'comment_required' });
      const sent = t.updates()[0]?.params as { layout: { footer?: { buttons?: Record<string, { action: unknown }> } } };
      expect(layoutText(sent)).toContain('A comment is required to reject');
      expect(sent.layout.footer?.buttons?.reject?.action).toMatchObject({
        type: 'openRestApp',
        actionParams: { approvalId: 'a1', decide: 'reject' },
      });
      // Approve is still a click, and an approve needs no comment.
      expect(sent.layout.footer?.buttons?.approve?.action).toMatchObject({ type: 'restEvent', id: 'approve' });
    });

    it('a page decision obeys the approver rule: someone else leaves it pending with the note', async () => {
      const t = setup({
        clicks: [pageReject({ userId: 8 })],
        approvals: [approval({ responsibleId: 5 })],
        proof: { userId: 8, isAdmin: false },
      });
      await t.processor.process('e1', { finalAttempt: false });
      expect(t.approvals.get('a1')).toMatchObject({ state: 'PENDING', decisionComment: null });
      expect(t.clicks.get('e1')?.outcome).toBe('not_approver');
      expect(layoutText(t.updates()[0]?.params ?? {})).toContain('Only the approver');
    });

    it('the rebuilt pending card carries the portal’s reminders before its deadline', async () => {
      const deadline = new Date('2026-02-01T09:00:00Z');
      const t = setup({
        clicks: [click({ userId: 8 })],
        approvals: [approval({ responsibleId: 5, deadline })],
        proof: { userId: 8, isAdmin: false },
        portal: { pingOffsets: [15, 1440] },
      });
      await t.processor.process('e1', { finalAttempt: false });
      expect(t.updates()[0]?.params.fields).toMatchObject({
        completed: false,
        responsibleId: 5,
        deadline: deadline.toISOString(),
        pingOffsets: [15, 1440],
      });
    });
  });

  describe('failure decisions, as the processor applies them', () => {
    it('NOT_FOUND on the update: DONE activity_gone', async () => {
      const t = setup({ script: { [UPDATE]: [b24Error('NOT_FOUND')] } });
      await t.processor.process('e1', { finalAttempt: false });
      expect(t.clicks.get('e1')).toMatchObject({ state: 'DONE', outcome: 'activity_gone' });
    });

    it('RATE_LIMITED: delayed by the hint, and the pass is not an attempt', async () => {
      const t = setup({ script: { [UPDATE]: [b24Error('RATE_LIMITED', { retryAfterMs: 321 })] } });
      const err = await t.processor.process('e1', { finalAttempt: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DelayJob);
      // The job waits for a slot of its portal's bucket, reserved when it is parked.
      expect(err).toMatchObject({ retryAfterMs: 321, reason: 'rate_limited', slotOf: 'm1' });
      expect(t.clicks.get('e1')).toMatchObject({ state: 'PROCESSING', attempts: 0 });
    });

    it("OPERATION_TIME_LIMIT: waits for the method's reset, no bucket slot reserved", async () => {
      const t = setup({
        script: { [UPDATE]: [b24Error('RATE_LIMITED', { retryAfterMs: 9_000, b24Code: 'OPERATION_TIME_LIMIT' })] },
      });
      const err = await t.processor.process('e1', { finalAttempt: false }).catch((e: unknown) => e);
      expect(err).toMatchObject({ retryAfterMs: 9_000, reason: 'rate_limited', slotOf: undefined });
    });

    it('TRANSIENT before the last try: retried, noted', async () => {
      const t = setup({ script: { [UPDATE]: [b24Error('TRANSIENT')] } });
      await expect(t.processor.process('e1', { finalAttempt: false })).rejects.toBeInstanceOf(RetryLater);
      expect(t.clicks.get('e1')).toMatchObject({ state: 'PROCESSING', error: 'TRANSIENT for the test' });
    });

    it('TRANSIENT on the last try of a decided click: the decision is shown and the click stays applied', async () => {
      const t = setup({ script: { [UPDATE]: [b24Error('TRANSIENT'), true] } });
      await t.processor.process('e1', { finalAttempt: true });
      expect(t.clicks.get('e1')).toMatchObject({ state: 'DONE', outcome: 'applied' });
      expect(layoutText(t.updates()[1]?.params ?? {})).not.toContain('could not be saved');
    });

    it('a handler bug: the error state with usable buttons, error_shown', async () => {
      const t = setup({ script: { [UPDATE]: [true] } });
      const processor = createTimelineActionProcessor({
        repo: t.repo,
        clients: t.clients,
        actions: new Map([['approve', { id: 'approve', handle: async () => Promise.reject(new Error('bug')) }]]),
        lease: directLease(),
        logger,
        clicker: async () => ({ userId: 7, isAdmin: false }),
      });
      await processor.process('e1', { finalAttempt: false });
      expect(t.clicks.get('e1')).toMatchObject({ state: 'DONE', outcome: 'error_shown', error: 'bug' });
      expect(t.approvals.get('a1')).toMatchObject({
        state: 'PENDING',
        lastError: expect.stringContaining('not be saved'),
      });
      const layout = layoutText(t.updates()[0]?.params ?? {});
      expect(layout).toContain('could not be saved');
      expect(layout).toContain('"approve"');
    });

    it('TOKEN_REVOKED (a 401 that survived a resync) on an active portal: retried, not portal_gone', async () => {
      const t = setup({ script: { [UPDATE]: [b24Error('TOKEN_REVOKED', { b24Code: 'invalid_token' })] } });
      await expect(t.processor.process('e1', { finalAttempt: false })).rejects.toBeInstanceOf(RetryLater);
      expect(t.clicks.get('e1')?.state).toBe('PROCESSING');
    });

    it('OVERLOAD_LIMIT on an active portal: retried', async () => {
      const t = setup({ script: { [UPDATE]: [b24Error('PORTAL_UNAVAILABLE', { b24Code: 'OVERLOAD_LIMIT' })] } });
      await expect(t.processor.process('e1', { finalAttempt: false })).rejects.toBeInstanceOf(RetryLater);
      expect(t.clicks.get('e1')?.state).toBe('PROCESSING');
    });

    it('TOKEN_REVOKED after the portal was marked NEEDS_REINSTALL: FAILED portal_gone', async () => {
      const t = setup({
        script: {
          [UPDATE]: () => {
            t.repo.portal.status = 'NEEDS_REINSTALL';
            return b24Error('TOKEN_REVOKED', { b24Code: 'invalid_grant' });
          },
        },
      });
      await t.processor.process('e1', { finalAttempt: false });
      expect(t.clicks.get('e1')).toMatchObject({ state: 'FAILED', outcome: 'portal_gone' });
    });

    it('no client for the portal (tokens gone meanwhile): FAILED portal_gone', async () => {
      const t = setup();
      const processor = createTimelineActionProcessor({
        repo: t.repo,
        clients: {
          get: async () => {
            t.repo.portal.status = 'UNINSTALLED';
            throw b24Error('TOKEN_REVOKED', { b24Code: 'PORTAL_NOT_ACTIVE' });
          },
        },
        actions: defaultActionRegistry(),
        lease: directLease(),
        logger,
        clicker: async () => ({ userId: 7, isAdmin: false }),
      });
      await processor.process('e1', { finalAttempt: false });
      expect(t.clicks.get('e1')).toMatchObject({ state: 'FAILED', outcome: 'portal_gone' });
    });

    it('the error state itself fails: the click stays for the sweeper', async () => {
      const t = setup({ script: { [UPDATE]: [b24Error('ACCESS_DENIED'), b24Error('TRANSIENT')] } });
      await expect(t.processor.process('e1', { finalAttempt: true })).rejects.toBeInstanceOf(RetryLater);
      expect(t.clicks.get('e1')).toMatchObject({
        state: 'PROCESSING',
        error: expect.stringContaining('error state not shown'),
      });
    });

    it('the decision update rejected as invalid: the minimal error payload (only `completed`) goes, once', async () => {
      const invalid = b24Error('VALIDATION', { b24Code: 'WRONG_FIELD_VALUE' });
      const t = setup({
        approvals: [approval({ responsibleId: 7, description: 'long text' })],
        script: { [UPDATE]: (p) => (p.fields && 'responsibleId' in (p.fields as object) ? invalid : true) },
      });
      await t.processor.process('e1', { finalAttempt: false });
      expect(t.updates()).toHaveLength(2);
      expect(t.updates()[1]?.params.fields).toEqual({ completed: true });
      expect(layoutText(t.updates()[1]?.params ?? {})).not.toContain('long text');
      expect(t.clicks.get('e1')).toMatchObject({ state: 'DONE', outcome: 'applied' });
    });

    it('the full error state rejected as invalid after another failure: the minimal one follows', async () => {
      const invalid = b24Error('VALIDATION', { b24Code: 'WRONG_FIELD_VALUE' });
      const t = setup({
        clicks: [click({ actionId: 'archive' })],
        script: { [UPDATE]: [b24Error('TRANSIENT'), invalid, true] },
      });
      await t.processor.process('e1', { finalAttempt: true });
      expect(t.updates()).toHaveLength(3);
      expect(t.updates()[2]?.params.fields).toEqual({ completed: false });
      const layout = layoutText(t.updates()[2]?.params ?? {});
      expect(layout).toContain('could not be saved');
      expect(layout).toContain('"approve"');
      expect(t.clicks.get('e1')).toMatchObject({ state: 'DONE', outcome: 'error_shown' });
    });

    it('the activity disappears while the error state is written: activity_gone', async () => {
      const t = setup({ script: { [UPDATE]: [b24Error('VALIDATION'), b24Error('NOT_FOUND')] } });
      await t.processor.process('e1', { finalAttempt: false });
      expect(t.clicks.get('e1')).toMatchObject({ state: 'DONE', outcome: 'activity_gone' });
    });
  });

  it('asks a user name once per user', async () => {
    const t = setup({
      clicks: [click({ id: 'e0', receivedAt: new Date(0) }), click({ id: 'e1' })],
      approvals: [approval()],
    });
    await t.processor.process('e1', { finalAttempt: false });
    t.approvals.set('a1', approval({ id: 'a1' }));
    t.clicks.set('e2', click({ id: 'e2', receivedAt: new Date() }));
    await t.processor.process('e2', { finalAttempt: false });
    expect(t.calls.filter((c) => c.method === 'user.get')).toHaveLength(1);
  });
});
