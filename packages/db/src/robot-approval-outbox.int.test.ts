import { createHash, randomUUID } from 'node:crypto';
import { randomMemberId, TEST_DATABASE_URL } from '@b24app/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApprovalDeliveriesRepository } from './approval-deliveries.repository.js';
import { createApprovalsRepository } from './approvals.repository.js';
import { createDb } from './client.js';
import { createRobotRunsRepository, type RecordRunInput } from './robot-runs.repository.js';
import { createTimelineEventsRepository } from './timeline-events.repository.js';

// The robot's records (robot_runs + the approval the creation job adds), the job's add claim, and the decision
// outbox born in the decision's own statement.

const db = createDb(TEST_DATABASE_URL, { poolSize: 4 });
const approvals = createApprovalsRepository(db);
const runs = createRobotRunsRepository(db, approvals);
const deliveries = createApprovalDeliveriesRepository(db);
const clicks = createTimelineEventsRepository(db);
let portalId: string;
let activity = 5000;

beforeAll(async () => {
  const memberId = randomMemberId();
  const p = await db.portal.create({
    data: {
      memberId,
      domain: `${memberId}.example.com`,
      clientEndpoint: `https://${memberId}.example.com/rest/`,
      serverEndpoint: 'https://oauth.bitrix.info/rest/',
    },
  });
  portalId = p.id;
});
afterAll(async () => {
  await db.portal.delete({ where: { id: portalId } }).catch(() => {});
  await db.$disconnect();
});

function runInput(token: string, over: Partial<RecordRunInput> = {}): RecordRunInput {
  const approvalId = randomUUID();
  return {
    id: randomUUID(),
    portalId,
    eventTokenHash: createHash('sha256').update(token).digest('hex'),
    eventToken: { keyId: 'k1', data: 'sealed' },
    workflowId: 'wf1',
    robotCode: 'request_approval',
    documentId: ['crm', 'CCrmDocumentDeal', 'DEAL_15'],
    ownerTypeId: 2,
    ownerId: 15,
    properties: { title: 'T', approver: 'user_5' },
    userId: 1,
    eventTs: 1,
    state: 'ACCEPTED',
    refusal: null,
    approval: {
      id: approvalId,
      portalId,
      ownerTypeId: 2,
      ownerId: 15,
      title: 'T',
      description: null,
      responsibleId: 5,
      requesterId: 1,
      requesterName: null,
      deadline: null,
      idempotencyKey: null,
    },
    ...over,
  };
}

/** A click on the approval's activity, for applyDecision. */
async function clickOn(activityId: number): Promise<string> {
  const id = randomUUID();
  await clicks.record({
    id,
    portalId,
    dedupeKey: randomUUID(),
    activityId,
    actionId: 'approve',
    entityTypeId: 2,
    entityId: 15,
    userId: 5,
    params: {},
    eventTs: 1,
    userAuth: null,
  });
  return id;
}

describe('robot runs', () => {
  it('records a run and its approval once, however often the run is delivered', async () => {
    const first = runInput(`tok-${randomUUID()}`);
    const recorded = await runs.record(first);
    expect(recorded).toMatchObject({ state: 'ACCEPTED', approvalId: first.approval?.id, duplicate: false });
    const again = await runs.record({ ...first, id: randomUUID(), approval: { ...first.approval!, id: randomUUID() } });
    expect(again).toEqual({ ...recorded, duplicate: true });
    const rows = await db.approval.findMany({ where: { robotRun: { id: recorded.runId } } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ responsibleId: 5, requesterId: 1, activityId: null, state: 'PENDING' });
    expect(rows[0]?.createRequestedAt).toBeInstanceOf(Date);
    expect(await runs.runOfApproval(first.approval!.id)).toMatchObject({ id: recorded.runId, eventTokenEnc: 'sealed' });
  });

  it('a refused run is recorded with its reason and no approval', async () => {
    const r = await runs.record(runInput(`tok-${randomUUID()}`, { state: 'REFUSED', refusal: 'x: y', approval: null }));
    expect(r).toMatchObject({ state: 'REFUSED', approvalId: null, refusal: 'x: y', duplicate: false });
  });
});

describe('the creation job’s add claim', () => {
  it('one holder at a time; the second add knows an earlier one ran; a failed create takes no claim', async () => {
    const run = runInput(`tok-${randomUUID()}`);
    await runs.record(run);
    const id = run.approval!.id;
    expect(await approvals.takeAddClaim(id, randomUUID(), 60_000)).toEqual({ taken: true, earlierAdds: 0 });
    const other = randomUUID();
    expect(await approvals.takeAddClaim(id, other, 60_000)).toEqual({ taken: false, earlierAdds: 0 });
    // a lapsed claim is taken over, and the taker is told an add ran before it
    await db.approval.update({ where: { id }, data: { addClaimUntil: new Date(Date.now() - 1000) } });
    expect(await approvals.takeAddClaim(id, other, 60_000)).toEqual({ taken: true, earlierAdds: 1 });
    expect((await approvals.unsettledCreates({ graceMs: 0, limit: 1000 })).map((u) => u.id)).toContain(id);
    const settled = await approvals.settleActivity(id, ++activity);
    expect(settled).toMatchObject({ activityId: activity, addClaimId: null });
    expect(await approvals.settleActivity(id, activity + 1)).toBeNull();
    expect((await approvals.unsettledCreates({ graceMs: 0, limit: 1000 })).map((u) => u.id)).not.toContain(id);

    const doomed = runInput(`tok-${randomUUID()}`);
    await runs.record(doomed);
    expect(await approvals.failCreate(doomed.approval!.id, 'owner gone')).toBe(true);
    expect(await approvals.takeAddClaim(doomed.approval!.id, randomUUID(), 60_000)).toMatchObject({ taken: false });
    expect((await approvals.unsettledCreates({ graceMs: 0, limit: 1000 })).map((u) => u.id)).not.toContain(
      doomed.approval!.id,
    );
  });
});

describe('the decision outbox', () => {
  /** The robot's answer (the approval's notifications are rows of their own: notification-deliveries.int.test.ts). */
  const robotDeliveries = async (id: string) =>
    (await deliveries.ofApproval(id)).filter((d) => d.kind === 'bizproc_event');

  async function decidedRobotApproval(): Promise<string> {
    const run = runInput(`tok-${randomUUID()}`);
    await runs.record(run);
    const id = run.approval!.id;
    const activityId = ++activity;
    await approvals.settleActivity(id, activityId);
    const eventId = await clickOn(activityId);
    const decided = await clicks.applyDecision({
      approvalId: id,
      eventId,
      state: 'APPROVED',
      userId: 5,
      userName: null,
      comment: null,
    });
    expect(decided?.state).toBe('APPROVED');
    return id;
  }

  it('a robot approval’s decision owes one bizproc_event delivery, in the same statement; others owe none', async () => {
    const id = await decidedRobotApproval();
    const owed = await robotDeliveries(id);
    expect(owed).toMatchObject([{ kind: 'bizproc_event', state: 'PENDING', attempts: 0, inDoubt: false, portalId }]);
    // deciding again changes nothing and owes nothing more
    const eventId = await clickOn(activity);
    expect(
      await clicks.applyDecision({
        approvalId: id,
        eventId,
        state: 'REJECTED',
        userId: 5,
        userName: null,
        comment: null,
      }),
    ).toBeNull();
    expect(await robotDeliveries(id)).toHaveLength(1);

    const plain = await db.approval.create({ data: { portalId, ownerTypeId: 2, ownerId: 1, title: 'API' } });
    const plainActivity = ++activity;
    await db.approval.update({ where: { id: plain.id }, data: { activityId: plainActivity } });
    await clicks.applyDecision({
      approvalId: plain.id,
      eventId: await clickOn(plainActivity),
      state: 'APPROVED',
      userId: 5,
      userName: null,
      comment: null,
    });
    expect(await deliveries.ofApproval(plain.id)).toEqual([]);
  });

  it('an attempt is claimed once while its lease holds; a rate-limited one gives its attempt back; DONE is final', async () => {
    const id = await decidedRobotApproval();
    const [d] = await robotDeliveries(id);
    expect((await deliveries.due(10_000)).map((x) => x.id)).toContain(d!.id);
    const claimed = await deliveries.claim(d!.id, 60_000);
    expect(claimed).toMatchObject({ attempts: 1, inDoubt: false });
    expect(await deliveries.claim(d!.id, 60_000)).toBeNull(); // leased: not due
    expect((await deliveries.due(10_000)).map((x) => x.id)).not.toContain(d!.id);

    await deliveries.markInDoubt(d!.id);
    await deliveries.retryAt(d!.id, {
      at: new Date(Date.now() - 1),
      error: 'rate limited',
      inDoubt: false,
      giveBack: true,
    });
    expect(await deliveries.claim(d!.id, 60_000)).toMatchObject({ attempts: 1, inDoubt: false });
    await deliveries.markInDoubt(d!.id);
    await deliveries.retryAt(d!.id, { at: new Date(Date.now() - 1), error: 'timeout', inDoubt: true });
    expect(await deliveries.claim(d!.id, 60_000)).toMatchObject({ attempts: 2, inDoubt: true, lastError: 'timeout' });
    await deliveries.markDone(d!.id, 'already_delivered', 'refused after a lost answer');
    await deliveries.markFailed(d!.id, 'refused', 'too late'); // a DONE row stays DONE
    expect((await robotDeliveries(id))[0]).toMatchObject({ state: 'DONE', outcome: 'already_delivered' });
    expect(await deliveries.claim(d!.id, 0)).toBeNull();
  });
});
