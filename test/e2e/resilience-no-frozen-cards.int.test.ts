import { timelineActionJob } from '@b24app/jobs';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createActionRegistry } from '../../apps/worker/src/timeline/action-handlers/action-handler.js';
import { createApproval, getApproval, restEventIds, settled } from '../support/approvals.js';
import { type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

// Issue 6, "No frozen cards": whatever happens (retries exhausted, a bug in a handler) every accepted click
// ends in an update: success, or a visible error state with the buttons usable again.

const UPDATE = 'crm.activity.configurable.update';
let stack: Stack;
let p: InstalledPortal;

beforeAll(async () => {
  stack = await startStack({
    isolatedDatabase: true,
    // Two job attempts 100 ms apart (each makes up to 4 in-call tries): retries run out within seconds.
    env: {
      CLICK_JOB_ATTEMPTS: '2',
      CLICK_JOB_BACKOFF_MS: '100',
      B24_REQUEST_TIMEOUT_MS: '1000',
      SWEEP_INTERVAL_MS: '300',
      SWEEP_STALE_AFTER_MS: '2000',
    },
  });
  p = await stack.installedPortal();
});
// Each test starts the worker it needs; none may outlive its test (a leftover would process the next one's clicks).
afterEach(async () => {
  await stack.worker?.close();
  stack.worker = undefined;
  await stack.emu.clearFailures();
});
afterAll(async () => {
  await stack?.close();
});

const tagTypes = (layout: unknown) =>
  Object.values((layout as { header: { tags?: Record<string, { type: string }> } }).header.tags ?? {}).map(
    (t) => t.type,
  );
const updateCalls = async (activityId: number) =>
  (await stack.emu.calls({ memberId: p.memberId, method: UPDATE })).filter(
    (c) => Number((c.params as { id?: unknown }).id) === activityId,
  );
const clickRow = (activityId: number) =>
  stack.db.timelineEvent.findFirstOrThrow({ where: { activityId, portal: { memberId: p.memberId } } });

describe('no frozen cards (issue 6)', () => {
  it('the portal fails longer than every retry of the job: the sweeper finishes the click once it recovers', async () => {
    stack.startWorker();
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    // 500 is transient and spends attempts (the emulator's 503 is QUERY_LIMIT_EXCEEDED: delayed, never spent).
    await stack.emu.injectFailures({ memberId: p.memberId, method: UPDATE, count: 10_000, kind: '500' });
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve' });

    // Both BullMQ attempts spent (the job is in the failed set), the click unfinished, the card still locked.
    const row = await clickRow(a.activityId);
    const queue = new Queue(timelineActionJob.queue, { connection: stack.redis, prefix: stack.env.QUEUE_PREFIX });
    await waitFor(
      async () => (await queue.getJobs(['failed'])).some((j) => j.id === row.id && j.attemptsMade === 2),
      20_000,
    );
    await queue.close();
    const stuck = await clickRow(a.activityId);
    expect(stuck.state).toBe('PROCESSING');
    expect(stuck.attempts).toBeGreaterThanOrEqual(2);
    expect((await stack.emu.activity(p.memberId, a.activityId)).locked).toBe(true);
    const failedCalls = (await updateCalls(a.activityId)).length;
    expect(failedCalls).toBeGreaterThanOrEqual(8);

    const recovered = Date.now();
    await stack.emu.clearFailures();
    await settled(stack, p.memberId, a.activityId, 1, 20_000);
    const ms = Date.now() - recovered;

    const act = await stack.emu.activity(p.memberId, a.activityId);
    expect(act.locked).toBe(false);
    expect(tagTypes(act.layout)).toContain('success');
    expect(act.fields.completed).toBe(true);
    expect(restEventIds(act.layout)).toEqual([]);
    const api = await getApproval(stack, a.id);
    expect(api.state).toBe('approved');
    expect(api.clicks).toEqual([expect.objectContaining({ state: 'done', outcome: 'applied' })]);
    expect(stack.logs.text()).toContain('stuck clicks swept');
    console.info(`[resilience] retries exhausted: click finished by the sweeper ${ms} ms after the portal recovered`);
  });

  it('retries run out but the last try gets through: the card shows the decision, not a false error', async () => {
    stack.startWorker();
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    // Exactly both job attempts' in-call tries fail (2 × 4); the error-state update is the first to get through.
    await stack.emu.injectFailures({ memberId: p.memberId, method: UPDATE, count: 8, kind: '500' });
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'reject' });
    await settled(stack, p.memberId, a.activityId, 1, 20_000);

    const calls = await updateCalls(a.activityId);
    expect(calls.filter((c) => c.status === 500)).toHaveLength(8);
    expect(calls.filter((c) => c.status === 200)).toHaveLength(1);
    const act = await stack.emu.activity(p.memberId, a.activityId);
    expect(act.locked).toBe(false);
    expect(tagTypes(act.layout)).toContain('failure'); // rejected
    expect(JSON.stringify(act.layout)).not.toContain('could not be saved');
    const api = await getApproval(stack, a.id);
    expect(api.state).toBe('rejected');
    expect(api.clicks).toEqual([expect.objectContaining({ state: 'done', outcome: 'applied' })]);
  });

  it('a bug in a handler: the card shows the error with its buttons usable, and the next click works', async () => {
    const broken = createActionRegistry([
      {
        id: 'approve',
        handle: async () => {
          throw new TypeError("Cannot read properties of undefined (reading 'id')");
        },
      },
    ]);
    const worker = stack.startWorker({}, { actions: broken });
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve' });
    await settled(stack, p.memberId, a.activityId, 1, 20_000);

    const act = await stack.emu.activity(p.memberId, a.activityId);
    expect(act.locked).toBe(false);
    expect(act.fields.completed).toBe(false);
    expect(tagTypes(act.layout)).toContain('warning');
    expect(restEventIds(act.layout).sort()).toEqual(['approve', 'reject']);
    expect((await clickRow(a.activityId)).outcome).toBe('error_shown');
    expect((await getApproval(stack, a.id)).state).toBe('pending');
    expect(stack.logs.text()).toContain('action handler failed');
    await worker.close();

    // The fix is deployed: the same card's Approve button works (the emulator refuses clicks on locked cards).
    stack.startWorker();
    const again = await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve' });
    expect(again.statuses).toEqual([200]);
    await settled(stack, p.memberId, a.activityId, 2, 20_000);
    const after = await stack.emu.activity(p.memberId, a.activityId);
    expect(tagTypes(after.layout)).toContain('success');
    expect(restEventIds(after.layout)).toEqual([]);
    expect((await getApproval(stack, a.id)).state).toBe('approved');
  });
});
