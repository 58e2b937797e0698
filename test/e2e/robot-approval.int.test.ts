import { createApprovalDeliveriesRepository } from '@b24app/db';
import { encodePhpForm } from '@b24app/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled } from '../support/approvals.js';
import { approvalApi, approvalWithActivity, recordedRun, runApprovalRobot } from '../support/robots.js';
import { type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

// Issue 12, the request_approval robot: a run on a CRM item becomes an approval with its card; the decision goes
// back to the automation through the outbox (bizproc.event.send), once, however the delivery is retried.

let stack: Stack;
let p: InstalledPortal;
beforeAll(async () => {
  stack = await startStack({ worker: false });
  // a fast outbox backoff, so a retried delivery lands within the test
  stack.startWorker({ DELIVERY_BACKOFF_MS: '50' });
  p = await stack.installedPortal();
});
afterAll(async () => {
  await stack?.close();
});

/** The approval's robot answer delivery (its notifications are rows of their own: notifications.int.test.ts). */
const robotAnswers = async (id: string) =>
  (await approvalApi(stack, id)).deliveries.filter((d) => d.kind === 'bizproc_event');

const postRobot = (body: string) =>
  fetch(`${stack.serverUrl}/b24/robot`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });

describe('the request_approval robot (issue 12)', () => {
  it('is registered at install: our handler, the installing admin, waiting for the answer, in English and Russian', async () => {
    const robots = await stack.emu.robots(p.memberId);
    expect(robots).toHaveLength(1);
    expect(robots[0]).toMatchObject({
      code: 'request_approval',
      handler: `${stack.serverUrl}/b24/robot`,
      authUserId: p.adminUserId,
      useSubscription: true,
      name: { en: 'Request approval', ru: 'Запросить согласование' },
    });
    expect(Object.keys(robots[0]!.properties)).toEqual(['title', 'description', 'approver', 'deadline']);
    expect(robots[0]!.properties.approver).toMatchObject({ type: 'user', required: true });
    expect(Object.keys(robots[0]!.returnProperties)).toEqual(['decision', 'decidedBy', 'comment']);
  });

  it('a run on a deal creates an approval for the approver; approving on the card answers the run', async () => {
    const approver = await stack.emu.createUser(p.memberId, { name: 'Anna Approver' });
    const { run, status } = await runApprovalRobot(stack, p, {
      approverId: approver.id,
      description: 'ACME asks for 15% off',
      deadline: '2026-12-10T15:30:00+00:00',
    });
    expect(status).toBe(200);
    const approval = await approvalWithActivity(stack, run);
    expect(approval).toMatchObject({
      ownerTypeId: 2,
      ownerId: p.dealId,
      title: 'Discount 15% for ACME',
      description: 'ACME asks for 15% off',
      responsibleId: approver.id,
      requesterId: p.adminUserId,
      state: 'PENDING',
    });
    expect(approval.deadline?.toISOString()).toBe('2026-12-10T15:30:00.000Z');
    const act = await stack.emu.activity(p.memberId, approval.activityId!);
    expect(act).toMatchObject({ ownerTypeId: 2, ownerId: p.dealId });
    expect(act.fields).toMatchObject({ responsibleId: approver.id, completed: false });
    expect((await approvalApi(stack, approval.id)).creation).toEqual({ state: 'done', error: null });
    // the token is a capability: never in clear in our database
    const stored = await recordedRun(stack, run);
    expect(JSON.stringify(stored)).not.toContain(run.eventToken.split('|')[2]);

    // A click on the card carries no comment (the details' reject form does: test/e2e/placement.browser.int.test.ts).
    await stack.emu.click(p.memberId, { activityId: approval.activityId!, actionId: 'approve', userId: approver.id });
    await waitFor(async () => (await stack.emu.robotRun(p.memberId, run.id)).state === 'completed');
    const answered = await stack.emu.robotRun(p.memberId, run.id);
    expect(answered.returnValues).toEqual({
      decision: 'approved',
      decidedBy: `user_${approver.id}`,
      comment: '',
    });
    expect(answered.sends.map((s) => s.accepted)).toEqual([true]);
    await settled(stack, p.memberId, approval.activityId!, 1);
    await waitFor(async () => (await robotAnswers(approval.id))[0]?.state === 'done');
    expect(await robotAnswers(approval.id)).toEqual([
      {
        kind: 'bizproc_event',
        state: 'done',
        attempts: 1,
        outcome: 'sent',
        lastError: null,
        deliveredAt: expect.any(String),
      },
    ]);
  });

  it('rejecting answers decision=rejected; a transient failure of bizproc.event.send is retried with backoff', async () => {
    const approver = await stack.emu.createUser(p.memberId, { name: 'Rita Rejecter' });
    const { run } = await runApprovalRobot(stack, p, { approverId: approver.id, title: 'Second discount' });
    const approval = await approvalWithActivity(stack, run);
    await stack.emu.injectFailures({ memberId: p.memberId, method: 'bizproc.event.send', count: 2, kind: '500' });
    await stack.emu.click(p.memberId, { activityId: approval.activityId!, actionId: 'reject', userId: approver.id });
    await waitFor(async () => (await stack.emu.robotRun(p.memberId, run.id)).state === 'completed');
    expect((await stack.emu.robotRun(p.memberId, run.id)).returnValues).toEqual({
      decision: 'rejected',
      decidedBy: `user_${approver.id}`,
      comment: '',
    });
    await waitFor(async () => (await robotAnswers(approval.id))[0]?.state === 'done');
    const [delivery] = await robotAnswers(approval.id);
    expect(delivery).toMatchObject({ state: 'done', outcome: 'sent' });
    expect(delivery!.attempts).toBeGreaterThan(1);
    // the failed sends never reached the run: it took exactly one answer
    expect((await stack.emu.robotRun(p.memberId, run.id)).sends.map((s) => s.accepted)).toEqual([true]);
  });

  it('a run delivered twice (and again, concurrently) makes one approval and one card', async () => {
    const approver = await stack.emu.createUser(p.memberId, { name: 'Dora Duplicate' });
    const since = (await stack.emu.deliveries({ memberId: p.memberId, event: 'BIZPROC_ROBOT' })).at(-1)?.seq ?? 0;
    const { run } = await runApprovalRobot(stack, p, { approverId: approver.id, title: 'Delivered twice' });
    const [delivery] = await stack.emu.deliveries({ memberId: p.memberId, event: 'BIZPROC_ROBOT', since });
    expect(delivery?.status).toBe(200);
    const again = await Promise.all([postRobot(delivery!.body), postRobot(delivery!.body), postRobot(delivery!.body)]);
    const answers = await Promise.all(
      again.map((r) => r.json() as Promise<{ duplicate: boolean; approvalId: string }>),
    );
    expect(again.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(answers.every((a) => a.duplicate)).toBe(true);
    const approval = await approvalWithActivity(stack, run);
    expect(new Set(answers.map((a) => a.approvalId))).toEqual(new Set([approval.id]));
    expect(await stack.db.robotRun.count({ where: { approvalId: approval.id } })).toBe(1);
    expect(
      await stack.db.approval.count({ where: { portal: { memberId: p.memberId }, title: 'Delivered twice' } }),
    ).toBe(1);
    const cards = (await stack.emu.activities(p.memberId)).filter((a) =>
      JSON.stringify(a.layout).includes('Delivered twice'),
    );
    expect(cards).toHaveLength(1);
  });

  it('bizproc.event.send refused for a timed-out run: recorded on the approval, not retried', async () => {
    const approver = await stack.emu.createUser(p.memberId, { name: 'Tim Late' });
    const { run } = await runApprovalRobot(stack, p, { approverId: approver.id, title: 'Too late' });
    const approval = await approvalWithActivity(stack, run);
    await stack.emu.endRobotRun(p.memberId, run.id, 'timed_out');
    await stack.emu.click(p.memberId, { activityId: approval.activityId!, actionId: 'approve', userId: approver.id });
    await waitFor(async () => (await robotAnswers(approval.id))[0]?.state === 'failed');
    const [delivery] = await robotAnswers(approval.id);
    expect(delivery).toMatchObject({ kind: 'bizproc_event', state: 'failed', attempts: 1, outcome: 'refused' });
    expect(delivery!.lastError).toMatch(/timed out or was stopped/);
    // the decision itself stands, and the card shows it
    await settled(stack, p.memberId, approval.activityId!, 1);
    expect((await approvalApi(stack, approval.id)).state).toBe('approved');
    const lines = stack.logs.lines.flatMap((l) => l.split('\n').filter(Boolean)).map((l) => JSON.parse(l));
    expect(lines.some((l) => l.msg === 'delivery ended undelivered' && l.approvalId === approval.id)).toBe(true);
    // FAILED is final: no relay pass finds it due again, and the run saw the one refused send
    const row = await stack.db.approvalDelivery.findFirstOrThrow({
      where: { approvalId: approval.id, kind: 'bizproc_event' },
    });
    expect((await createApprovalDeliveriesRepository(stack.db).due(10_000)).map((d) => d.id)).not.toContain(row.id);
    expect((await stack.emu.robotRun(p.memberId, run.id)).sends.map((s) => s.accepted)).toEqual([false]);
    expect(await stack.emu.calls({ memberId: p.memberId, method: 'bizproc.event.send' })).toContainEqual(
      expect.objectContaining({ error: 'ACCESS_DENIED' }),
    );
  });

  it('companies and smart-process items get their approval on the item the document names', async () => {
    const approver = await stack.emu.createUser(p.memberId, { name: 'Carl Company' });
    const company = await stack.emu.createCrmItem(p.memberId, { entityTypeId: 4, title: 'ACME Ltd' });
    const spa = await stack.emu.createCrmItem(p.memberId, { entityTypeId: 1032, title: 'Contract 7' });
    for (const [entityTypeId, entityId] of [
      [4, company.id],
      [1032, spa.id],
    ] as const) {
      const { run } = await runApprovalRobot(stack, p, { approverId: approver.id, entityTypeId, entityId });
      const approval = await approvalWithActivity(stack, run);
      expect(approval).toMatchObject({ ownerTypeId: entityTypeId, ownerId: entityId });
      expect(await stack.emu.activity(p.memberId, approval.activityId!)).toMatchObject({
        ownerTypeId: entityTypeId,
        ownerId: entityId,
      });
    }
  });
});

describe('robot handler input (issue 12)', () => {
  /** A delivery of a real run, to alter. */
  async function realDelivery(): Promise<Record<string, string>> {
    const since = (await stack.emu.deliveries({ memberId: p.memberId, event: 'BIZPROC_ROBOT' })).at(-1)?.seq ?? 0;
    await runApprovalRobot(stack, p, { approverId: p.adminUserId, title: 'Template' });
    const [d] = await stack.emu.deliveries({ memberId: p.memberId, event: 'BIZPROC_ROBOT', since });
    return Object.fromEntries(new URLSearchParams(d!.body));
  }
  const runs = () => stack.db.robotRun.count({ where: { portal: { memberId: p.memberId } } });
  const approvals = () => stack.db.approval.count({ where: { portal: { memberId: p.memberId } } });
  const withToken = (f: Record<string, string>, token: string) => ({ ...f, event_token: token });

  it('a forged application token, or no robot envelope: a clear 4xx and nothing recorded', async () => {
    const f = await realDelivery();
    const [r0, a0] = [await runs(), await approvals()];
    const forged = await postRobot(
      new URLSearchParams({ ...withToken(f, 'forged|1|x'), 'auth[application_token]': 'nope' }).toString(),
    );
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    const noToken = { ...f };
    delete noToken.event_token;
    const missing = await postRobot(new URLSearchParams(noToken).toString());
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: [{ path: 'event_token' }] },
    });
    expect((await postRobot('not a form at all')).status).toBe(400);
    const json = await fetch(`${stack.serverUrl}/b24/robot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(415);
    expect([await runs(), await approvals()]).toEqual([r0, a0]);
  });

  it('a genuine run it cannot act on is recorded as refused, answered 422 with the reason, and makes no approval', async () => {
    const f = await realDelivery();
    const a0 = await approvals();
    const cases = [
      [{ ...withToken(f, 'tok|bad-approver|1'), 'properties[approver]': 'group_5' }, 'invalid_properties'],
      [{ ...withToken(f, 'tok|no-title|1'), 'properties[title]': '' }, 'invalid_properties'],
      [
        {
          ...withToken(f, 'tok|lists|1'),
          'document_id[0]': 'lists',
          'document_id[1]': 'BizprocDocument',
          'document_id[2]': '7',
        },
        'unsupported_document',
      ],
      [{ ...withToken(f, 'tok|other-robot|1'), code: 'other_robot' }, 'unknown_robot'],
    ] as const;
    for (const [fields, reason] of cases) {
      const res = await postRobot(encodePhpForm(fields));
      expect(res.status, reason).toBe(422);
      expect(await res.json()).toMatchObject({ error: { code: 'ROBOT_RUN_REFUSED', details: { reason } } });
      const run = await stack.db.robotRun.findFirst({
        where: { refusal: { startsWith: reason } },
        orderBy: { receivedAt: 'desc' },
      });
      expect(run).toMatchObject({ state: 'REFUSED', approvalId: null });
    }
    expect(await approvals()).toBe(a0);
    const bad = await postRobot(encodePhpForm(cases[0][0]));
    expect(await bad.json()).toMatchObject({ error: { details: { reason: 'invalid_properties', duplicate: true } } });
    expect(stack.logs.text()).not.toContain('tok|bad-approver|1');
  });
});
