import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApproval, getApproval, restEventIds, settled } from '../support/approvals.js';
import { markNeedsReinstall, reinstallFromPage } from '../support/reinstall.js';
import { type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

// Issue 10, the click's lifecycle: every accepted click ends in an update of its card, and only a portal that is
// really gone ends FAILED. The sweeper is out of reach here (its stale bound is ten minutes), so what finishes a
// click is the path under test itself: the relay, BullMQ's retries, the error state.

let stack: Stack;
let p: InstalledPortal;
beforeAll(async () => {
  stack = await startStack({ worker: true, env: { SWEEP_STALE_AFTER_MS: '600000' } });
  p = await stack.installedPortal();
});
afterEach(async () => {
  await stack.emu.clearFailures();
});
afterAll(async () => {
  await stack?.close();
});

const UPDATE = 'crm.activity.configurable.update';

describe('the click lifecycle against a failing portal (issue 10)', () => {
  it('item 6: an update rejected as invalid for good still unlocks the card (minimal, validated error state)', async () => {
    const approver = await stack.emu.createUser(p.memberId, { name: 'Ann Approver' });
    const a = await createApproval(stack, {
      memberId: p.memberId,
      ownerId: p.dealId,
      responsibleId: approver.id,
      description: 'Quarterly budget',
    });
    // The portal now refuses the responsible user we send with every update (persistently).
    await stack.emu.injectFailures({
      memberId: p.memberId,
      method: UPDATE,
      persistent: true,
      kind: 'error',
      error: { code: 'WRONG_FIELD_VALUE', description: 'Incorrect value of field "responsibleId"', status: 400 },
      whenParam: 'fields.responsibleId',
    });
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve', userId: approver.id });
    await settled(stack, p.memberId, a.activityId, 1);

    const api = await getApproval(stack, a.id);
    expect(api).toMatchObject({ state: 'approved', decidedBy: { id: approver.id } });
    expect(api.clicks[0]).toMatchObject({ state: 'done', outcome: 'applied' });
    const act = await stack.emu.activity(p.memberId, a.activityId);
    expect(act.locked).toBe(false);
    expect(act.fields.responsibleId).toBe(approver.id); // kept: the error state did not send it again
    expect(JSON.stringify(act.layout)).not.toContain('Quarterly budget');
    expect(restEventIds(act.layout)).toEqual([]); // decided: no buttons
  });

  // A 401 that survives the client's one resync, and an OVERLOAD_LIMIT hold, on a portal that is still ACTIVE.
  it.each([
    [
      'a 401 that survives a resync',
      3,
      { code: 'invalid_token', description: 'The access token is invalid', status: 401 },
    ],
    [
      'OVERLOAD_LIMIT (a temporary hold)',
      2,
      { code: 'OVERLOAD_LIMIT', description: 'REST API is blocked', status: 503 },
    ],
  ])('item 7: %s on an active portal is retried, not portal_gone', async (_name, count, error) => {
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    await stack.emu.injectFailures({ memberId: p.memberId, method: UPDATE, count, kind: 'error', error });
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve' });
    await settled(stack, p.memberId, a.activityId, 1);
    const api = await getApproval(stack, a.id);
    expect(api.state).toBe('approved');
    expect(api.clicks[0]).toMatchObject({ state: 'done', outcome: 'applied' });
    expect((await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } })).status).toBe('ACTIVE');
  });

  it('Low: clicks requeued by a reinstall are enqueued again by the relay at once (no sweeper needed)', async () => {
    const q = await stack.installedPortal();
    const a = await createApproval(stack, { memberId: q.memberId, ownerId: q.dealId });
    await markNeedsReinstall(stack, q.memberId);
    await stack.emu.click(q.memberId, { activityId: a.activityId, actionId: 'approve' });
    await waitFor(async () => (await getApproval(stack, a.id)).clicks[0]?.outcome === 'portal_gone');

    expect(await reinstallFromPage(stack, q)).toBe(200);
    // The first job (id = event id) is completed and kept for an hour; the relay's job must be a new one.
    await settled(stack, q.memberId, a.activityId, 1);
    const api = await getApproval(stack, a.id);
    expect(api.state).toBe('approved');
    expect(api.clicks[0]).toMatchObject({ state: 'done', outcome: 'applied' });
  });

  it('Low: a click that arrives while the add’s answer is still on its way is applied, not unknown_activity', async () => {
    const q = await stack.installedPortal();
    // The add runs on the portal; its answer comes 3 s later.
    await stack.emu.injectFailures({
      memberId: q.memberId,
      method: 'crm.activity.configurable.add',
      count: 1,
      kind: 'delay',
      delayMs: 3_000,
      phase: 'after',
    });
    const creating = createApproval(stack, { memberId: q.memberId, ownerId: q.dealId });
    let activityId = 0;
    await waitFor(async () => {
      activityId = (await stack.emu.activities(q.memberId))[0]?.id ?? 0;
      return activityId > 0;
    });
    await stack.emu.click(q.memberId, { activityId, actionId: 'approve' });
    const a = await creating;
    expect(a.activityId).toBe(activityId);
    await settled(stack, q.memberId, activityId, 1);
    const api = await getApproval(stack, a.id);
    expect(api.state).toBe('approved');
    expect(api.clicks[0]).toMatchObject({ state: 'done', outcome: 'applied' });
  });
});
