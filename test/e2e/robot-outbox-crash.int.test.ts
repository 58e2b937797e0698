import type { SpawnedApp } from '@b24app/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { approvalWithActivity, runApprovalRobot } from '../support/robots.js';
import { type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';
import { killHard, startWorkerProcess } from '../support/worker-process.js';

// Issue 12: "The worker killed between the decision and bizproc.event.send: the event is still sent exactly once."
// The worker is a real OS process, SIGKILLed while its bizproc.event.send is in flight (the emulator holds the
// call open): once before the portal ran it, once after (the answer lost).

const SEND = 'bizproc.event.send';
// A held call outlives the kill; a dead worker's delivery is due again after its lease (2 × timeout + 5 s).
const WORKER_ENV = { B24_REQUEST_TIMEOUT_MS: '5000', WORKER_LOCK_DURATION_MS: '2000', DELIVERY_BACKOFF_MS: '100' };

let stack: Stack;
let p: InstalledPortal;
let running: SpawnedApp | null = null;

beforeAll(async () => {
  stack = await startStack({ isolatedDatabase: true });
  p = await stack.installedPortal();
});
afterEach(async () => {
  await running?.stop('SIGKILL');
  running = null;
  await stack.emu.clearFailures();
});
afterAll(async () => {
  await stack?.close();
});

const heldSends = async (since: number) =>
  (await stack.emu.calls({ memberId: p.memberId, method: SEND, since })).filter((c) => c.error === 'INJECTED_TIMEOUT');
const lastSeq = async () => (await stack.emu.calls({ memberId: p.memberId })).at(-1)?.seq ?? 0;
const deliveryOf = (approvalId: string) =>
  stack.db.approvalDelivery.findFirstOrThrow({ where: { approvalId, kind: 'bizproc_event' } });

describe('the worker dies mid-delivery (issue 12)', () => {
  for (const [phase, story] of [
    ['before', 'before the portal ran it: the next worker sends it'],
    ['after', 'after the portal ran it (the answer lost): the next worker finds it answered'],
  ] as const) {
    it(`SIGKILL while bizproc.event.send is held ${story}; the run is answered exactly once`, async () => {
      running = await startWorkerProcess(stack, WORKER_ENV);
      const approver = await stack.emu.createUser(p.memberId, { name: `Kim Killed ${phase}` });
      const { run } = await runApprovalRobot(stack, p, { approverId: approver.id, title: `Crash ${phase}` });
      const approval = await approvalWithActivity(stack, run);

      await stack.emu.injectFailures({ memberId: p.memberId, method: SEND, count: 1, kind: 'timeout', phase });
      const since = await lastSeq();
      await stack.emu.click(p.memberId, { activityId: approval.activityId!, actionId: 'approve', userId: approver.id });
      await waitFor(async () => (await heldSends(since)).length === 1, 20_000, 20);
      await killHard(running);
      running = null;

      // The decision is kept with what it owes: one delivery, in flight when its worker died.
      expect((await stack.db.approval.findUniqueOrThrow({ where: { id: approval.id } })).state).toBe('APPROVED');
      expect(await deliveryOf(approval.id)).toMatchObject({
        state: 'PENDING',
        attempts: 1,
        inDoubt: true,
        lastError: null,
      });
      expect((await stack.emu.robotRun(p.memberId, run.id)).state).toBe(phase === 'before' ? 'running' : 'completed');

      running = await startWorkerProcess(stack, WORKER_ENV);
      await waitFor(async () => (await deliveryOf(approval.id)).state === 'DONE', 40_000, 100);
      const delivery = await deliveryOf(approval.id);
      expect(delivery).toMatchObject({ attempts: 2, outcome: phase === 'before' ? 'sent' : 'already_delivered' });

      const answered = await stack.emu.robotRun(p.memberId, run.id);
      expect(answered.state).toBe('completed');
      expect(answered.returnValues).toEqual({ decision: 'approved', decidedBy: `user_${approver.id}`, comment: '' });
      // exactly one send was taken: the repeat after a lost answer is refused, and nothing is sent after DONE
      expect(answered.sends.filter((s) => s.accepted)).toHaveLength(1);
      expect(answered.sends.map((s) => s.accepted)).toEqual(phase === 'before' ? [true] : [true, false]);
    }, 90_000);
  }
});
