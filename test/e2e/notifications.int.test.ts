import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appApi, openAppPage } from '../support/app-page.js';
import { createApproval, settled } from '../support/approvals.js';
import { approvalApi } from '../support/robots.js';
import { type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

// Issue 12, notifications: the approver hears that an approval waits for them (with the item and a link that
// opens it), the requester hears the decision; each is its own outbox row, so a failing im.notify.system.add
// never touches the decision; the portal's switches, read when a row is born, turn them off.

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
  // a fast outbox backoff, so retries and give-ups land within the test
  stack.startWorker({ DELIVERY_BACKOFF_MS: '50' });
});
afterAll(async () => {
  await stack?.close();
});

/** A portal with an approver and a requester (not the admin), and an approval from one to the other. */
async function pendingApproval(p: InstalledPortal, title: string) {
  const approver = await stack.emu.createUser(p.memberId, { name: 'Anna Approver' });
  const requester = await stack.emu.createUser(p.memberId, { name: 'Rick Requester' });
  const created = await createApproval(stack, {
    memberId: p.memberId,
    ownerId: p.dealId,
    title,
    responsibleId: approver.id,
    requester: { id: requester.id, name: 'Rick Requester' },
  });
  return { approver, requester, ...created };
}

const deliveryOf = async (id: string, kind: string) =>
  (await approvalApi(stack, id)).deliveries.find((d) => d.kind === kind);

describe('notifications (issue 12)', () => {
  it('reach the approver when the approval is created, with the link, then the requester after the click', async () => {
    const p = await stack.installedPortal();
    const { approver, requester, id, activityId } = await pendingApproval(p, 'Discount 15% for ACME');

    await waitFor(async () => (await deliveryOf(id, 'notify_approver'))?.state === 'done');
    const [toApprover] = await stack.emu.notifications(p.memberId, approver.id);
    const link = `http://${p.domain}/crm/deal/details/${p.dealId}/`;
    expect(toApprover).toMatchObject({ kind: 'system', clientId: stack.clientId });
    expect(toApprover!.message).toBe(
      `An approval is waiting for you: “Discount 15% for ACME” on [url=${link}]Deal #${p.dealId}[/url], requested by Rick Requester.`,
    );
    expect(toApprover!.messageOut).toContain(link);
    // the link opens the item: the portal answers it with the item's page
    const opened = await fetch(link);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('Deal for approval');
    // nothing for the requester yet: the approval is not decided
    expect(await stack.emu.notifications(p.memberId, requester.id)).toEqual([]);

    // the approver rejects with a comment on the app page (the details' reject form): the same path as a click
    const page = await openAppPage(stack, { memberId: p.memberId, domain: p.domain, userId: approver.id });
    const decided = await appApi(stack, page.boot?.session ?? '')('POST', `/approvals/${id}/decision`, {
      decision: 'reject',
      comment: 'Too generous for this client',
      requestId: randomUUID(),
    });
    expect(decided.status).toBe(202);
    await waitFor(async () => (await deliveryOf(id, 'notify_requester'))?.state === 'done');
    const [toRequester] = await stack.emu.notifications(p.memberId, requester.id);
    expect(toRequester!.message).toBe(
      `Your approval request “Discount 15% for ACME” on [url=${link}]Deal #${p.dealId}[/url] was rejected by Anna Approver. Comment: Too generous for this client`,
    );
    await settled(stack, p.memberId, activityId, 1);
    // once each: the approver still has the one notification
    expect(await stack.emu.notifications(p.memberId, approver.id)).toHaveLength(1);
    expect((await approvalApi(stack, id)).deliveries).toEqual([
      expect.objectContaining({ kind: 'notify_approver', state: 'done', attempts: 1, outcome: 'sent' }),
      expect.objectContaining({ kind: 'notify_requester', state: 'done', attempts: 1, outcome: 'sent' }),
    ]);
  });

  it('an im failure does not affect the decision: the card is decided, the notification retries then fails alone', async () => {
    const p = await stack.installedPortal();
    const { approver, requester, id, activityId } = await pendingApproval(p, 'Flaky notifications');
    await waitFor(async () => (await deliveryOf(id, 'notify_approver'))?.state === 'done');
    await stack.emu.injectFailures({
      memberId: p.memberId,
      method: 'im.notify.system.add',
      persistent: true,
      kind: '500',
    });

    await stack.emu.click(p.memberId, { activityId, actionId: 'reject', userId: approver.id });
    await settled(stack, p.memberId, activityId, 1);
    expect((await approvalApi(stack, id)).state).toBe('rejected');
    const card = await stack.emu.activity(p.memberId, activityId);
    expect(card.fields.completed).toBe(true);
    expect(JSON.stringify(card.layout)).toContain('"type":"failure"');

    await waitFor(async () => (await deliveryOf(id, 'notify_requester'))?.state === 'failed');
    const failed = await deliveryOf(id, 'notify_requester');
    expect(failed).toMatchObject({ state: 'failed', attempts: 5, outcome: 'gave_up' });
    expect(failed!.lastError).toMatch(/gave up after 5 attempts/);
    expect(await stack.emu.notifications(p.memberId, requester.id)).toEqual([]);
    // still decided, the card untouched by the notification's failures
    expect((await approvalApi(stack, id)).state).toBe('rejected');
    expect((await stack.emu.activity(p.memberId, activityId)).fields.completed).toBe(true);
    await stack.emu.clearFailures();
  });

  it('a missing im scope ends the notification at once as no_scope', async () => {
    const p = await stack.installedPortal();
    await stack.emu.injectFailures({
      memberId: p.memberId,
      method: 'im.notify.system.add',
      persistent: true,
      kind: 'error',
      error: { code: 'insufficient_scope', description: 'The request requires higher privileges', status: 403 },
    });
    const { id } = await pendingApproval(p, 'No im scope');
    await waitFor(async () => (await deliveryOf(id, 'notify_approver'))?.state === 'failed');
    expect(await deliveryOf(id, 'notify_approver')).toMatchObject({ attempts: 1, outcome: 'no_scope' });
    await stack.emu.clearFailures();
  });

  it('switched off: no notification rows, nothing sent', async () => {
    const p = await stack.installedPortal();
    const portal = await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
    await stack.db.portalSettings.upsert({
      where: { portalId: portal.id },
      create: { portalId: portal.id, notifyApprover: false, notifyRequester: false },
      update: { notifyApprover: false, notifyRequester: false },
    });
    const { approver, requester, id, activityId } = await pendingApproval(p, 'Quiet please');
    await stack.emu.click(p.memberId, { activityId, actionId: 'approve', userId: approver.id });
    await settled(stack, p.memberId, activityId, 1);
    expect((await approvalApi(stack, id)).state).toBe('approved');
    expect(await stack.db.approvalDelivery.count({ where: { approvalId: id } })).toBe(0);
    expect(await stack.emu.notifications(p.memberId, approver.id)).toEqual([]);
    expect(await stack.emu.notifications(p.memberId, requester.id)).toEqual([]);
    expect(await stack.emu.calls({ memberId: p.memberId, method: 'im.notify.system.add' })).toEqual([]);
  });
});
