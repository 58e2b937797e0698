import { randomUUID } from 'node:crypto';
import { randomMemberId, TEST_DATABASE_URL } from '@b24app/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApprovalDeliveriesRepository } from './approval-deliveries.repository.js';
import { createApprovalsRepository } from './approvals.repository.js';
import { createDb } from './client.js';
import { createTimelineEventsRepository } from './timeline-events.repository.js';

// The notifications' outbox rows: notify_approver born with the activity id (settleActivity), notify_requester
// with the decision (applyDecision), each only when its portal switch is on at that moment.

const db = createDb(TEST_DATABASE_URL, { poolSize: 4 });
const approvals = createApprovalsRepository(db);
const deliveries = createApprovalDeliveriesRepository(db);
const clicks = createTimelineEventsRepository(db);
let portalId: string;
let activity = 9000;

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

const switches = (notifyApprover: boolean, notifyRequester: boolean) =>
  db.portalSettings.upsert({
    where: { portalId },
    create: { portalId, notifyApprover, notifyRequester },
    update: { notifyApprover, notifyRequester },
  });

async function approval(responsibleId: number | null, requesterId: number | null) {
  const a = await db.approval.create({
    data: { portalId, ownerTypeId: 2, ownerId: 1, title: 'T', responsibleId, requesterId },
  });
  return a.id;
}
const kinds = async (id: string) => (await deliveries.ofApproval(id)).map((d) => d.kind).sort();

async function decide(id: string, userId: number) {
  const activityId = (await db.approval.findUniqueOrThrow({ where: { id } })).activityId!;
  const { eventId } = await clicks.record({
    id: randomUUID(),
    portalId,
    dedupeKey: randomUUID(),
    activityId,
    actionId: 'approve',
    entityTypeId: 2,
    entityId: 1,
    userId,
    params: {},
    eventTs: 1,
    userAuth: null,
  });
  return clicks.applyDecision({
    approvalId: id,
    eventId,
    state: 'APPROVED',
    userId,
    userName: null,
    comment: null,
  });
}

describe('notification deliveries', () => {
  it('the activity id owes the approver a notification, once; the decision owes the requester one', async () => {
    await switches(true, true);
    const id = await approval(5, 1);
    expect(await kinds(id)).toEqual([]);
    await approvals.settleActivity(id, ++activity);
    expect(await kinds(id)).toEqual(['notify_approver']);
    expect(await approvals.settleActivity(id, ++activity)).toBeNull(); // settled: nothing more
    expect(await kinds(id)).toEqual(['notify_approver']);
    expect((await decide(id, 5))?.state).toBe('APPROVED');
    expect(await kinds(id)).toEqual(['notify_approver', 'notify_requester']);
  });

  it('no approver, the requester as approver, no requester, or the requester deciding: nothing owed to them', async () => {
    await switches(true, true);
    const none = await approval(null, null);
    await approvals.settleActivity(none, ++activity);
    await decide(none, 5);
    expect(await kinds(none)).toEqual([]);
    const self = await approval(3, 3);
    await approvals.settleActivity(self, ++activity);
    await decide(self, 3);
    expect(await kinds(self)).toEqual([]);
  });

  it('the switches are read when a row is born: off owes nothing, a later change sends nothing late', async () => {
    await switches(false, false);
    const id = await approval(5, 1);
    await approvals.settleActivity(id, ++activity);
    await switches(true, true); // switched back on after the activity: the approver's moment has passed
    await switches(true, false);
    await decide(id, 5);
    expect(await kinds(id)).toEqual([]);
  });
});
