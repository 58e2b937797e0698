// One Idempotency-Key, one activity, whatever the timing: requests with the same key that overlap while
// crm.activity.configurable.add is slow (the limiter's wait plus the request timeout can outlast a client's
// timeout, so retries overlap) wait for the first one's add instead of adding again.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHeaders, type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

const WAIT_MS = 1_500;
let stack: Stack;
let p: InstalledPortal;
beforeAll(async () => {
  stack = await startStack({ env: { APPROVAL_CREATE_WAIT_MS: String(WAIT_MS) } });
  p = await stack.installedPortal();
});
afterAll(async () => {
  await stack?.close();
});

interface Answer {
  status: number;
  location: string | null;
  body: { id: string; activityId: number | null; state?: string };
}

async function create(key: string): Promise<Answer> {
  const res = await fetch(`${stack.serverUrl}/api/v1/approvals`, {
    method: 'POST',
    headers: { ...apiHeaders, 'idempotency-key': key },
    body: JSON.stringify({ memberId: p.memberId, ownerTypeId: 2, ownerId: p.dealId, title: 'Concurrent' }),
  });
  return { status: res.status, location: res.headers.get('location'), body: (await res.json()) as Answer['body'] };
}

/** Slows the next add on the portal (before it runs), so requests started meanwhile overlap it. */
const slowNextAdd = (delayMs: number) =>
  stack.emu.injectFailures({
    memberId: p.memberId,
    method: 'crm.activity.configurable.add',
    count: 1,
    kind: 'delay',
    delayMs,
    phase: 'before',
  });

/** The first request is inside the add once its row exists: start the others then. */
const rowOf = async (key: string) => {
  await waitFor(async () => (await stack.db.approval.count({ where: { idempotencyKey: key } })) === 1);
  return stack.db.approval.findFirstOrThrow({ where: { idempotencyKey: key } });
};

const activitiesOf = async (approvalId: string) =>
  (await stack.emu.activities(p.memberId)).filter((a) => a.fields.originId === approvalId).map((a) => a.id);

describe('integrations API: concurrent creates with one Idempotency-Key', () => {
  it('overlapping the slow add, the others wait for it: one activity, one 201, the rest 200 with the same ids', async () => {
    const key = `concurrent-${randomUUID()}`;
    await slowNextAdd(WAIT_MS / 2);
    const first = create(key);
    const row = await rowOf(key);
    const others = await Promise.all([create(key), create(key)]);
    const answers = [await first, ...others];

    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 201]);
    const activityId = answers[0]?.body.activityId;
    expect(activityId).toEqual(expect.any(Number));
    for (const a of answers) expect(a.body).toEqual({ id: row.id, activityId });
    expect(await activitiesOf(row.id)).toEqual([activityId]);
    // A settled create holds no claim.
    expect(await stack.db.approval.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      activityId,
      addClaimId: null,
      addClaimUntil: null,
    });
  });

  it('an add that outlasts the wait: 202 "creating" with Location, then the same key answers 200 with the one activity', async () => {
    const key = `outlasting-${randomUUID()}`;
    await slowNextAdd(WAIT_MS * 2);
    const first = create(key);
    const row = await rowOf(key);
    const second = await create(key);
    expect(second).toEqual({
      status: 202,
      location: `/api/v1/approvals/${row.id}`,
      body: { id: row.id, activityId: null, state: 'creating' },
    });

    const done = await first;
    expect(done.status).toBe(201);
    const again = await create(key);
    expect(again).toMatchObject({ status: 200, body: { id: row.id, activityId: done.body.activityId } });
    expect(await activitiesOf(row.id)).toEqual([done.body.activityId]);
  });

  it('when the holder of the claim fails before adding, a waiting request with the key takes over: still one activity', async () => {
    const key = `takeover-${randomUUID()}`;
    // The first add waits, then fails before running; the waiting request takes the released claim and adds.
    await stack.emu.injectFailures({
      memberId: p.memberId,
      method: 'crm.activity.configurable.add',
      count: 1,
      kind: 'error',
      error: { code: 'ACCESS_DENIED', description: 'Access denied', status: 403 },
      delayMs: WAIT_MS / 3,
      phase: 'before',
    });
    const first = create(key);
    const row = await rowOf(key);
    const second = create(key);
    const [a, b] = await Promise.all([first, second]);

    expect(a.status).toBeGreaterThanOrEqual(400);
    expect(a.status).toBeLessThan(500);
    expect(b).toMatchObject({ status: 201, body: { id: row.id } });
    expect(await activitiesOf(row.id)).toEqual([b.body.activityId]);
  });
});
