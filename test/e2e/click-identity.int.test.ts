import { randomBytes } from 'node:crypto';
import { timelineActionJob } from '@b24app/jobs';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApproval, getApproval, restEventIds, settled } from '../support/approvals.js';
import { type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

// Issue 10 item 3: who clicked is proven with Bitrix24 (the delivery's own access token → `profile`), never
// taken from auth[user_id] / data[userId]; with a responsible user set only that user or an admin decides.

let stack: Stack;
let p: InstalledPortal;
let queue: Queue;
beforeAll(async () => {
  stack = await startStack({ worker: true });
  p = await stack.installedPortal();
  queue = new Queue(timelineActionJob.queue, { connection: stack.redis, prefix: stack.env.QUEUE_PREFIX });
});
afterAll(async () => {
  await queue?.close();
  await stack?.close();
});

const post = (body: string) =>
  fetch(`${stack.serverUrl}/b24/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });

async function cardText(activityId: number): Promise<string> {
  return JSON.stringify((await stack.emu.activity(p.memberId, activityId)).layout);
}

describe('who clicked is proven by Bitrix24 (issue 10 item 3)', () => {
  it('a click claiming another user (auth[user_id], data[userId]) decides nothing in their name', async () => {
    const approver = await stack.emu.createUser(p.memberId, { name: 'Ann Approver' });
    const other = await stack.emu.createUser(p.memberId, { name: 'Oscar Other' });
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId, responsibleId: approver.id });
    // A genuine delivery of Oscar's click, captured, then re-sent claiming to be Ann: Oscar's own token, Ann's id.
    const seq = (await stack.emu.deliveries({ memberId: p.memberId })).at(-1)?.seq ?? 0;
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve', userId: other.id });
    await settled(stack, p.memberId, a.activityId, 1);
    const [delivery] = await stack.emu.deliveries({
      memberId: p.memberId,
      event: 'ONCRMTIMELINEITEMACTION',
      since: seq,
    });
    const forged = new URLSearchParams(delivery?.body);
    forged.set('auth[user_id]', String(approver.id));
    forged.set('data[userId]', String(approver.id));
    forged.set('ts', String(Number(forged.get('ts')) + 1));
    const res = await post(forged.toString());
    expect(res.status).toBe(200);
    await settled(stack, p.memberId, a.activityId, 2);

    const api = await getApproval(stack, a.id);
    expect(api.state).toBe('pending');
    expect(api.clicks.map((c) => c.outcome)).toEqual(['not_approver', 'not_approver']);
    const act = await stack.emu.activity(p.memberId, a.activityId);
    expect(act.locked).toBe(false);
    expect(restEventIds(act.layout).sort()).toEqual(['approve', 'reject']);
    expect(await cardText(a.activityId)).toContain('Only the approver');
  });

  it('a made-up token proves nobody: the approval stays pending, the card says so and stays usable', async () => {
    const approver = await stack.emu.createUser(p.memberId, { name: 'Ann Approver' });
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    const seq = (await stack.emu.deliveries({ memberId: p.memberId })).at(-1)?.seq ?? 0;
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'reject', userId: approver.id });
    await settled(stack, p.memberId, a.activityId, 1);
    // The forged click goes to a second, still pending approval.
    const b = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    const [delivery] = await stack.emu.deliveries({
      memberId: p.memberId,
      event: 'ONCRMTIMELINEITEMACTION',
      since: seq,
    });
    const forged = new URLSearchParams(delivery?.body);
    forged.set('data[activityId]', String(b.activityId));
    forged.set('auth[access_token]', randomBytes(35).toString('hex'));
    const res = await post(forged.toString());
    expect(res.status).toBe(200);
    await waitFor(async () => (await getApproval(stack, b.id)).clicks[0]?.state === 'done');

    expect((await getApproval(stack, a.id)).state).toBe('rejected'); // the genuine click
    const api = await getApproval(stack, b.id);
    expect(api.state).toBe('pending');
    expect(api.clicks[0]?.outcome).toBe('user_unproven');
    expect(await cardText(b.activityId)).toContain('could not confirm who clicked');
    expect(restEventIds((await stack.emu.activity(p.memberId, b.activityId)).layout).sort()).toEqual([
      'approve',
      'reject',
    ]);
  });

  it('with a responsible user: another user cannot decide, the responsible user can; an admin can too', async () => {
    const approver = await stack.emu.createUser(p.memberId, { name: 'Ann Approver' });
    const other = await stack.emu.createUser(p.memberId, { name: 'Oscar Other' });
    const admin = await stack.emu.createUser(p.memberId, { name: 'Ada Admin', admin: true });
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId, responsibleId: approver.id });
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve', userId: other.id });
    await settled(stack, p.memberId, a.activityId, 1);
    expect((await getApproval(stack, a.id)).state).toBe('pending');

    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve', userId: approver.id });
    await settled(stack, p.memberId, a.activityId, 2);
    const api = await getApproval(stack, a.id);
    expect(api).toMatchObject({ state: 'approved', decidedBy: { id: approver.id } });
    expect(await cardText(a.activityId)).not.toContain('Only the approver');

    const b = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId, responsibleId: approver.id });
    await stack.emu.click(p.memberId, { activityId: b.activityId, actionId: 'reject', userId: admin.id });
    await settled(stack, p.memberId, b.activityId, 1);
    expect(await getApproval(stack, b.id)).toMatchObject({ state: 'rejected', decidedBy: { id: admin.id } });
  });

  it('the user token is kept sealed and only until the click is done; never in a job, a log line or the API', async () => {
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    const seq = (await stack.emu.deliveries({ memberId: p.memberId })).at(-1)?.seq ?? 0;
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve' });
    await settled(stack, p.memberId, a.activityId, 1);
    const [delivery] = await stack.emu.deliveries({
      memberId: p.memberId,
      event: 'ONCRMTIMELINEITEMACTION',
      since: seq,
    });
    const token = new URLSearchParams(delivery?.body).get('auth[access_token]');
    expect(token).toBeTruthy();

    const row = await stack.db.timelineEvent.findFirstOrThrow({
      where: { activityId: a.activityId, portal: { memberId: p.memberId } },
    });
    expect(row).toMatchObject({ state: 'DONE', userAuthEnc: null, userAuthKeyId: null });
    const jobs = await queue.getJobs(['completed', 'waiting', 'delayed', 'active', 'failed']);
    expect(JSON.stringify(jobs.map((j) => j.data))).not.toContain(token);
    expect(stack.logs.text()).not.toContain(token);
    expect(JSON.stringify(await getApproval(stack, a.id))).not.toContain(token);
  });
});
