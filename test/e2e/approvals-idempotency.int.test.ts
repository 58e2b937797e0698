// One Idempotency-Key, one activity, whatever the timing: requests with the same key that overlap while
// crm.activity.configurable.add is slow (a client's retries overlap) get the key's one row, and its creation job
// adds once; each request waits APPROVAL_CREATE_WAIT_MS for the activity, then answers 202.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityOf } from '../support/approvals.js';
import { apiHeaders, type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

const WAIT_MS = 1_500;
let stack: Stack;
let p: InstalledPortal;
beforeAll(async () => {
  stack = await startStack({ creator: true, env: { APPROVAL_CREATE_WAIT_MS: String(WAIT_MS) } });
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

  it('an add that outlasts the wait: 202 "creating" with Location to every request, then the same key answers 200 with the one activity', async () => {
    // Was: the first request (the add's holder) answered 201 after the add. Now the job adds, so it is 202 too.
    const key = `outlasting-${randomUUID()}`;
    await slowNextAdd(WAIT_MS * 2);
    const first = create(key);
    const row = await rowOf(key);
    const second = await create(key);
    const accepted = {
      status: 202,
      location: `/api/v1/approvals/${row.id}`,
      body: { id: row.id, activityId: null, state: 'creating' },
    };
    expect(second).toEqual(accepted);
    expect(await first).toEqual(accepted);

    const activityId = await activityOf(stack, row.id);
    const again = await create(key);
    expect(again).toMatchObject({ status: 200, body: { id: row.id, activityId } });
    expect(await activitiesOf(row.id)).toEqual([activityId]);
  });

  it('a refusal reaches every request waiting on the key; the key again asks anew and creates exactly one', async () => {
    // Was: a waiting request took over the claim and added. Now the job adds once; a refusal ends the create and
    // each waiting request answers it; the same key later hands the row to the job again (by design).
    const key = `refused-${randomUUID()}`;
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
    expect([a.status, b.status]).toEqual([403, 403]);
    expect(await stack.db.approval.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      activityId: null,
      createErrorKind: 'ACCESS_DENIED',
    });

    const retried = await create(key);
    expect(retried).toMatchObject({ status: 201, body: { id: row.id } });
    expect(await activitiesOf(row.id)).toEqual([retried.body.activityId]);
  });
});
