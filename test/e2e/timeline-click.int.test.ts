import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApproval, getApproval, restEventIds, settled } from '../support/approvals.js';
import { markNeedsReinstall, reinstallFromPage } from '../support/reinstall.js';
import { type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

let stack: Stack;
let p: InstalledPortal;
beforeAll(async () => {
  stack = await startStack({ worker: true });
  p = await stack.installedPortal();
});
afterAll(async () => {
  await stack?.close();
});

describe('a click ends in exactly one decision and an update (issue 6)', () => {
  it('creates the pending activity with Approve (loader) and Reject (disable)', async () => {
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId, description: 'Please approve' });
    expect(a.status).toBe(201);
    const act = await stack.emu.activity(p.memberId, a.activityId);
    expect(restEventIds(act.layout).sort()).toEqual(['approve', 'reject']);
    const buttons = (
      act.layout as { footer: { buttons: Record<string, { action: { id: string; animationType: string } }> } }
    ).footer.buttons;
    const byId = Object.fromEntries(Object.values(buttons).map((b) => [b.action.id, b.action.animationType]));
    expect(byId).toEqual({ approve: 'loader', reject: 'disable' });
    expect(act.fields.completed).toBe(false);
    expect((await getApproval(stack, a.id)).state).toBe('pending');
  });

  for (const [action, tagType, state] of [
    ['approve', 'success', 'approved'],
    ['reject', 'failure', 'rejected'],
  ] as const) {
    it(`${action}: success path ends with a ${tagType} tag, no decision actions, the user shown, completed, lock cleared`, async () => {
      const user = await stack.emu.createUser(p.memberId, { name: `Maria ${action}`, admin: false });
      const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
      const click = await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: action, userId: user.id });
      expect(click.statuses).toEqual([200]);
      await settled(stack, p.memberId, a.activityId, 1);

      const act = await stack.emu.activity(p.memberId, a.activityId);
      const tags = Object.values(
        (act.layout as { header: { tags?: Record<string, { type: string }> } }).header.tags ?? {},
      );
      expect(tags.map((t) => t.type)).toContain(tagType);
      expect(restEventIds(act.layout)).toEqual([]);
      expect(JSON.stringify(act.layout)).toContain(`Maria ${action}`);
      expect(act.fields.completed).toBe(true);
      expect(act.locked).toBe(false);

      const api = await getApproval(stack, a.id);
      expect(api.state).toBe(state);
      expect(api.decidedBy?.id).toBe(user.id);
      expect(api.clicks).toHaveLength(1);
      expect(api.clicks[0]).toMatchObject({ state: 'done', outcome: 'applied' });
      expect(api.clicks[0]?.updatedActivityAt).not.toBeNull();

      const locks = (await stack.emu.locks({ memberId: p.memberId })).filter((l) => l.activityId === a.activityId);
      expect(locks).toHaveLength(1);
      expect(locks[0]?.releasedBy).toBe('update');
    });
  }

  it('the same idempotency key twice yields one activity', async () => {
    const key = `order-${Date.now()}`;
    const first = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId }, key);
    const second = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId }, key);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.activityId).toBe(first.activityId);
    const adds = await stack.emu.calls({ memberId: p.memberId, method: 'crm.activity.configurable.add' });
    expect(
      adds.filter((c) => (c.params as { fields?: { originId?: string } }).fields?.originId === first.id),
    ).toHaveLength(1);
  });

  it('the same delivery posted twice is processed once', async () => {
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve' });
    const [delivery] = await stack.emu
      .deliveries({ memberId: p.memberId, event: 'ONCRMTIMELINEITEMACTION' })
      .then((d) =>
        d.filter((x) => (x.fields as { data: { activityId: string } }).data.activityId === String(a.activityId)),
      );
    const replay = await fetch(delivery!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: delivery!.body,
    });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ duplicate: true });
    await settled(stack, p.memberId, a.activityId, 1);
    expect(
      await stack.db.timelineEvent.count({ where: { activityId: a.activityId, portal: { memberId: p.memberId } } }),
    ).toBe(1);
  });

  it('two different clicks racing on one activity: one decision, one final layout, every click answered', async () => {
    const u1 = await stack.emu.createUser(p.memberId, { name: 'Racer One' });
    const u2 = await stack.emu.createUser(p.memberId, { name: 'Racer Two' });
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    await Promise.all([
      stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve', userId: u1.id }),
      stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'reject', userId: u2.id, force: true }),
    ]);
    await settled(stack, p.memberId, a.activityId, 2);
    const api = await getApproval(stack, a.id);
    expect(['approved', 'rejected']).toContain(api.state);
    const outcomes = api.clicks.map((c) => c.outcome).sort();
    expect(outcomes).toEqual(['already_decided', 'applied']);
    const act = await stack.emu.activity(p.memberId, a.activityId);
    const tags = Object.values(
      (act.layout as { header: { tags?: Record<string, { type: string }> } }).header.tags ?? {},
    );
    expect(tags.map((t) => t.type)).toContain(api.state === 'approved' ? 'success' : 'failure');
    expect(act.locked).toBe(false);
  });

  it('a click while the portal needs a reinstall is finished once the admin reinstalls', async () => {
    const q = await stack.installedPortal();
    const a = await createApproval(stack, { memberId: q.memberId, ownerId: q.dealId });
    // The refresh token died (invalid_grant): the portal needs a reinstall, its tokens are gone.
    await markNeedsReinstall(stack, q.memberId);
    await stack.emu.click(q.memberId, { activityId: a.activityId, actionId: 'approve' });
    await waitFor(async () => (await getApproval(stack, a.id)).clicks[0]?.outcome === 'portal_gone');
    expect((await stack.emu.activity(q.memberId, a.activityId)).locked).toBe(true);

    expect(await reinstallFromPage(stack, q)).toBe(200);
    await settled(stack, q.memberId, a.activityId, 1);
    const api = await getApproval(stack, a.id);
    expect(api.state).toBe('approved');
    expect(api.clicks[0]).toMatchObject({ state: 'done', outcome: 'applied' });
  });

  it('an unknown action id is answered with an update that clears the lock, and a warning', async () => {
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    // A card written by an older version of the app, with an action this version no longer handles.
    const before = await stack.emu.activity(p.memberId, a.activityId);
    const layout = structuredClone(before.layout) as { footer: { buttons: Record<string, unknown> } };
    layout.footer.buttons = {
      escalate: {
        title: 'Escalate',
        type: 'secondary',
        action: { type: 'restEvent', id: 'escalate', animationType: 'loader' },
      },
    };
    const t = await stack.emu.issueTokens(p.memberId, stack.clientId);
    const upd = await fetch(`${t.client_endpoint}crm.activity.configurable.update`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: t.access_token, id: a.activityId, fields: { completed: false }, layout }),
    });
    expect(upd.status).toBe(200);
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'escalate' });
    await settled(stack, p.memberId, a.activityId, 1);
    expect((await getApproval(stack, a.id)).clicks[0]).toMatchObject({ outcome: 'unknown_action' });
    expect(stack.logs.text()).toContain('unknown action id');
    const act = await stack.emu.activity(p.memberId, a.activityId);
    expect(restEventIds(act.layout).sort()).toEqual(['approve', 'reject']);
  });
});
