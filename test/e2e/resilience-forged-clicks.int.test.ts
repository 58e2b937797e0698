import { randomBytes } from 'node:crypto';
import { timelineActionJob } from '@b24app/jobs';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApproval, getApproval, settled } from '../support/approvals.js';
import { type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

// Issue 6: "Forged clicks (bad token, token of another portal, unknown member) → 401, nothing recorded".
// Each forged body is a genuine delivery captured from the emulator with one identity field changed, and the
// same body with the genuine identity is accepted at the end: the identity alone made the difference.

let stack: Stack;
let p: InstalledPortal;
let q: InstalledPortal;
let queue: Queue;
let template: URLSearchParams;

const hex32 = () => randomBytes(16).toString('hex');

beforeAll(async () => {
  // Own database: the sweeper must not feed other files' (or earlier runs') clicks into this queue.
  stack = await startStack({ worker: true, isolatedDatabase: true });
  [p, q] = [await stack.installedPortal(), await stack.installedPortal()];
  queue = new Queue(timelineActionJob.queue, { connection: stack.redis, prefix: stack.env.QUEUE_PREFIX });

  // A genuine delivery to forge from.
  const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
  await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve' });
  await settled(stack, p.memberId, a.activityId, 1);
  const [delivery] = await stack.emu.deliveries({ memberId: p.memberId, event: 'ONCRMTIMELINEITEMACTION' });
  template = new URLSearchParams(delivery!.body);
});
afterAll(async () => {
  await queue?.close();
  await stack?.close();
});

/** The captured delivery, aimed at another activity, as a new delivery (new ts and token), with `patch` applied. */
function clickBody(activityId: number, patch: Record<string, string> = {}): string {
  const b = new URLSearchParams(template);
  b.set('data[activityId]', String(activityId));
  b.set('ts', String(Math.floor(Date.now() / 1000)));
  b.set('auth[access_token]', randomBytes(16).toString('hex'));
  for (const [k, v] of Object.entries(patch)) b.set(k, v);
  return b.toString();
}

const post = (body: string) =>
  fetch(`${stack.serverUrl}/b24/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });

const totalJobs = async () => Object.values(await queue.getJobCounts()).reduce((a, b) => a + b, 0);

describe('forged clicks (issue 6)', () => {
  it('bad token, another portal’s token, unknown member, uninstalled portal → 401; nothing recorded or enqueued', async () => {
    const b = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    const gone = await stack.installedPortal();
    await stack.emu.uninstallApp(gone.memberId, stack.clientId);
    await waitFor(
      async () => (await stack.db.portal.findUnique({ where: { memberId: gone.memberId } }))?.status === 'UNINSTALLED',
    );
    expect(template.get('auth[member_id]')).toBe(p.memberId);

    const forgeries: Record<string, Record<string, string>> = {
      'bad application_token': { 'auth[application_token]': hex32() },
      'application_token of another installed portal': { 'auth[application_token]': q.applicationToken },
      'another portal’s member_id with this portal’s token': { 'auth[member_id]': q.memberId },
      'unknown member_id': { 'auth[member_id]': hex32() },
      'uninstalled portal with its once-valid token': {
        'auth[member_id]': gone.memberId,
        'auth[application_token]': gone.applicationToken,
      },
      'application_token differing in its last character': {
        'auth[application_token]': `${p.applicationToken.slice(0, -1)}${p.applicationToken.endsWith('0') ? '1' : '0'}`,
      },
    };

    const rowsBefore = await stack.db.timelineEvent.count();
    const jobsBefore = await totalJobs();
    const updatesBefore = (await stack.emu.activity(p.memberId, b.activityId)).updates;

    for (const [name, patch] of Object.entries(forgeries)) {
      const res = await post(clickBody(b.activityId, patch));
      expect(res.status, name).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code, name).toBe('UNAUTHORIZED');
    }

    // Give the relay and the worker time to act on anything that slipped through.
    await new Promise((r) => setTimeout(r, 1_500)); // bounded on purpose: proves that nothing happens
    expect(await stack.db.timelineEvent.count()).toBe(rowsBefore);
    expect(await totalJobs()).toBe(jobsBefore);
    expect((await stack.emu.activity(p.memberId, b.activityId)).updates).toBe(updatesBefore);
    expect((await getApproval(stack, b.id)).state).toBe('pending');
    // No token of any kind in what we logged.
    const logs = stack.logs.text();
    for (const secret of [p.applicationToken, q.applicationToken, gone.applicationToken]) {
      expect(logs).not.toContain(secret);
    }

    // Control: the same body with the genuine identity is a click (recorded, enqueued, applied). The user's token
    // must be one Bitrix24 accepts: the worker proves who clicked with it (issue 10 item 3).
    const user = Number(template.get('auth[user_id]'));
    const genuine = await stack.emu.issueTokens(p.memberId, stack.clientId, user);
    const res = await post(clickBody(b.activityId, { 'auth[access_token]': genuine.access_token }));
    expect(res.status).toBe(200);
    await waitFor(async () => (await getApproval(stack, b.id)).state === 'approved');
    expect(await stack.db.timelineEvent.count()).toBe(rowsBefore + 1);
    expect(await totalJobs()).toBe(jobsBefore + 1);
  });
});
