import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApproval, getApproval, restEventIds, settled } from '../support/approvals.js';
import { type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

// Issue 6: "The emulator answering 503 / 500 / timeouts for crm.activity.configurable.update for a while:
// every click still ends updated; with the activity deleted, the job ends cleanly without endless retries."

const UPDATE = 'crm.activity.configurable.update';
let stack: Stack;
let p: InstalledPortal;

beforeAll(async () => {
  // Own database: the sweeper and relay must only ever see this file's clicks.
  stack = await startStack({ worker: true, isolatedDatabase: true, env: { B24_REQUEST_TIMEOUT_MS: '1000' } });
  p = await stack.installedPortal();
});
afterAll(async () => {
  await stack?.close();
});

const tagTypes = (layout: unknown) =>
  Object.values((layout as { header: { tags?: Record<string, { type: string }> } }).header.tags ?? {}).map(
    (t) => t.type,
  );

const updatesOf = async (activityId: number) =>
  (await stack.emu.calls({ memberId: p.memberId, method: UPDATE })).filter(
    (c) => (c.params as { id?: unknown }).id === activityId || Number((c.params as { id?: unknown }).id) === activityId,
  );

describe('the portal fails while clicks are processed (issue 6)', () => {
  for (const kind of ['503', '500', 'timeout'] as const) {
    it(`${kind} on ${UPDATE} for a while: every click still ends updated, lock cleared`, async () => {
      const approvals: Awaited<ReturnType<typeof createApproval>>[] = [];
      for (let i = 0; i < 3; i++)
        approvals.push(await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId }));
      // More failures than one job attempt's in-call retries (4), so BullMQ retries jobs as well.
      const failures = kind === 'timeout' ? 5 : 10;
      await stack.emu.injectFailures({ memberId: p.memberId, method: UPDATE, count: failures, kind });
      const t0 = Date.now();
      await Promise.all(
        approvals.map((a, i) =>
          stack.emu.click(p.memberId, { activityId: a.activityId, actionId: i === 1 ? 'reject' : 'approve' }),
        ),
      );
      for (const a of approvals) await settled(stack, p.memberId, a.activityId, 1, 45_000);
      const ms = Date.now() - t0;

      let failed = 0;
      for (const [i, a] of approvals.entries()) {
        const act = await stack.emu.activity(p.memberId, a.activityId);
        expect(act.locked).toBe(false);
        expect(act.fields.completed).toBe(true);
        expect(restEventIds(act.layout)).toEqual([]);
        expect(tagTypes(act.layout)).toContain(i === 1 ? 'failure' : 'success');
        const api = await getApproval(stack, a.id);
        expect(api.state).toBe(i === 1 ? 'rejected' : 'approved');
        expect(api.clicks).toEqual([expect.objectContaining({ state: 'done', outcome: 'applied' })]);
        const calls = await updatesOf(a.activityId);
        expect(calls.filter((c) => c.status === 200)).toHaveLength(1);
        failed += calls.filter((c) => c.status !== 200).length;
      }
      // Every injected failure was met by one of these clicks' updates (none slipped to another call).
      expect(failed).toBe(failures);
      console.info(`[resilience] ${failures} × ${kind} on update: 3 clicks updated within ${ms} ms`);
    });
  }

  it('activity deleted in the CRM before its click is processed: DONE as activity_gone, no endless retries', async () => {
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    await stack.worker?.close();
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve' });

    const t = await stack.emu.issueTokens(p.memberId, stack.clientId);
    const del = await fetch(`${t.client_endpoint}crm.activity.delete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: t.access_token, id: a.activityId }),
    });
    expect(((await del.json()) as { result: unknown }).result).toBe(true);

    stack.startWorker();
    await waitFor(async () => (await getApproval(stack, a.id)).clicks[0]?.state === 'done', 20_000);
    const api = await getApproval(stack, a.id);
    expect(api.clicks[0]).toMatchObject({ state: 'done', outcome: 'activity_gone' });

    // Let the relay and the sweeper run past their bounds: nobody tries this click again.
    const callsAtDone = (await updatesOf(a.activityId)).length;
    await new Promise((r) => setTimeout(r, 6_000)); // bounded on purpose: proves that nothing happens
    const calls = await updatesOf(a.activityId);
    expect(calls.length).toBe(callsAtDone);
    expect(calls.length).toBeLessThanOrEqual(2); // the update, and at most the error-state update
    expect(calls.every((c) => c.status !== 200)).toBe(true);
    const row = await stack.db.timelineEvent.findFirstOrThrow({
      where: { activityId: a.activityId, portal: { memberId: p.memberId } },
    });
    expect(row.attempts).toBe(1);
  });
});
