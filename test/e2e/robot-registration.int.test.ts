import { encodePhpForm, type IssuedTokens } from '@b24app/emulator';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reinstallFromPage } from '../support/reinstall.js';
import { approvalWithActivity, recordedRun, runApprovalRobot } from '../support/robots.js';
import { type Stack, startStack, waitFor } from '../support/stack.js';

// Issue 12: the robot is reconciled on reinstall and ONAPPUPDATE without duplicates, and goes with an uninstall;
// an approval whose creation job was lost is still created.

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await stack?.close();
});

const appRest = async (t: IssuedTokens, method: string, params: Record<string, unknown> = {}) => {
  const res = await fetch(`${t.client_endpoint}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: t.access_token, ...params }),
  });
  return (await res.json()) as { result?: unknown; error?: string };
};

const robotCalls = async (memberId: string, since: number) =>
  (await stack.emu.calls({ memberId, since }))
    .filter((c) => c.method.startsWith('bizproc.robot.'))
    .map((c) => `${c.method}${c.params.CODE ? ` ${String(c.params.CODE)}` : ''}`);
const lastSeq = async (memberId: string) => (await stack.emu.calls({ memberId })).at(-1)?.seq ?? 0;

describe('robot registration (issue 12)', () => {
  it('reinstall and ONAPPUPDATE update the robot in place, remove our obsolete ones, never add a second', async () => {
    const p = await stack.installedPortal();
    const t = await stack.emu.issueTokens(p.memberId, stack.clientId, p.adminUserId);
    // an older version of the app left a robot of its own, and ours drifted
    expect(
      (
        await appRest(t, 'bizproc.robot.add', {
          CODE: 'old_robot',
          HANDLER: `${stack.serverUrl}/b24/robot`,
          NAME: 'Old',
        })
      ).result,
    ).toBe(true);
    await appRest(t, 'bizproc.robot.update', {
      CODE: 'request_approval',
      FIELDS: { NAME: 'stale', USE_SUBSCRIPTION: 'N' },
    });
    expect((await stack.emu.robots(p.memberId)).map((r) => r.code).sort()).toEqual(['old_robot', 'request_approval']);

    let since = await lastSeq(p.memberId);
    expect(await reinstallFromPage(stack, p)).toBe(200);
    expect(await robotCalls(p.memberId, since)).toEqual([
      'bizproc.robot.list',
      'bizproc.robot.update request_approval',
      'bizproc.robot.delete old_robot',
    ]);
    const [robot, ...others] = await stack.emu.robots(p.memberId);
    expect(others).toEqual([]);
    expect(robot).toMatchObject({
      code: 'request_approval',
      name: { en: 'Request approval', ru: 'Запросить согласование' },
      useSubscription: true,
      authUserId: p.adminUserId,
    });

    since = await lastSeq(p.memberId);
    const fresh = await stack.emu.issueTokens(p.memberId, stack.clientId, p.adminUserId);
    const update = await fetch(`${stack.serverUrl}/b24/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: encodePhpForm({
        event: 'ONAPPUPDATE',
        data: { VERSION: '2', PREVIOUS_VERSION: '1', LANGUAGE_ID: 'en' },
        ts: String(Math.floor(Date.now() / 1000)),
        auth: {
          access_token: fresh.access_token,
          expires: String(fresh.expires),
          expires_in: '3600',
          scope: fresh.scope,
          domain: p.domain,
          server_endpoint: fresh.server_endpoint,
          status: fresh.status,
          client_endpoint: fresh.client_endpoint,
          member_id: fresh.member_id,
          user_id: String(fresh.user_id),
          refresh_token: fresh.refresh_token,
          application_token: p.applicationToken,
        },
      }),
    });
    expect(update.status).toBe(200);
    expect(await robotCalls(p.memberId, since)).toEqual([
      'bizproc.robot.list',
      'bizproc.robot.update request_approval',
    ]);
    expect((await stack.emu.robots(p.memberId)).map((r) => r.code)).toEqual(['request_approval']);
  });

  it('uninstall leaves no robot of ours (CLEAN=1: nor its runs); installing again adds it once', async () => {
    const p = await stack.installedPortal();
    await runApprovalRobot(stack, p, { approverId: p.adminUserId, title: 'Before uninstall' });
    const runsOf = () => stack.db.robotRun.count({ where: { portal: { memberId: p.memberId } } });
    expect(await runsOf()).toBe(1);
    await stack.emu.uninstallApp(p.memberId, stack.clientId, { clean: true });
    expect(await stack.emu.robots(p.memberId)).toEqual([]);
    await waitFor(async () => (await runsOf()) === 0);
    await stack.emu.installApp(p.memberId, stack.clientId, { userId: p.adminUserId });
    await waitFor(async () => (await stack.emu.robots(p.memberId)).length === 1);
    expect((await stack.emu.robots(p.memberId)).map((r) => r.code)).toEqual(['request_approval']);
  });
});

describe('the creation job (issue 12)', () => {
  it('an approval whose job was lost is handed to a job by the relay and created once', async () => {
    const p = await stack.installedPortal();
    const approver = await stack.emu.createUser(p.memberId, { name: 'Lola Lost' });
    // no worker yet: the run is recorded and its job waits; then the job is lost (as with a Redis failover)
    const { run, status } = await runApprovalRobot(stack, p, { approverId: approver.id, title: 'Lost job' });
    expect(status).toBe(200);
    const recorded = await recordedRun(stack, run);
    expect(recorded?.approval).toMatchObject({ activityId: null, state: 'PENDING' });
    const queue = new Queue('approval-creates', { connection: stack.redis, prefix: stack.env.QUEUE_PREFIX });
    try {
      const job = await queue.getJob(`create-${recorded!.approvalId}`);
      expect(job).toBeDefined();
      await job!.remove();
      expect(await queue.getJob(`create-${recorded!.approvalId}`)).toBeUndefined();
    } finally {
      await queue.close();
    }

    stack.startWorker();
    const approval = await approvalWithActivity(stack, run);
    expect(approval).toMatchObject({ responsibleId: approver.id, addAttempts: 1, createFailedAt: null });
    const cards = (await stack.emu.activities(p.memberId)).filter((a) => JSON.stringify(a.layout).includes('Lost job'));
    expect(cards).toHaveLength(1);
  });
});
