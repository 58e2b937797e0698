import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { approvalLayout, seedLayout } from './fixtures/seed-layouts.js';
import { type InstalledPortal, portalWithApp, type Receiver, rest, startReceiver } from './helpers.js';

let emu: RunningEmulator;
let receiver: Receiver;
let p: InstalledPortal;
let dealId: number;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, logger: false });
  receiver = await startReceiver();
});
afterAll(async () => {
  await emu.close();
  await receiver.close();
});
beforeEach(async () => {
  await emu.client.reset();
  receiver.received.length = 0;
  receiver.status = 200;
  p = await portalWithApp(emu, receiver);
  dealId = (await emu.client.createCrmItem(p.memberId, { entityTypeId: 2, title: 'Deal 15' })).id;
  await rest(
    p.clientEndpoint,
    'event.bind',
    { event: 'ONCRMTIMELINEITEMACTION', handler: `${receiver.url}/events` },
    p.token,
  );
  receiver.received.length = 0;
});

async function addActivity(layout: object, token = p.token): Promise<number> {
  const r = await rest(
    p.clientEndpoint,
    'crm.activity.configurable.add',
    { ownerTypeId: 2, ownerId: dealId, fields: {}, layout },
    token,
  );
  return (r.body.result as { activity: { id: number } }).activity.id;
}

describe('clicking a restEvent action', () => {
  it('delivers ONCRMTIMELINEITEMACTION with the action context and actionParams flattened into data', async () => {
    const id = await addActivity(approvalLayout());
    const maria = await emu.client.createUser(p.memberId, { name: 'Maria Manager' });
    const click = await emu.client.click(p.memberId, { activityId: id, actionId: 'approve', userId: maria.id });
    expect(click).toMatchObject({ delivered: 1, statuses: [200] });
    const got = receiver.received.find((r) => r.path === '/events');
    // data keys in PHP insertion order: developer params, then entityTypeId, entityId, activityId, id
    const keys = [...new URLSearchParams(got?.raw ?? '').keys()].filter((k) => k.startsWith('data['));
    expect(keys).toEqual([
      'data[approvalId]',
      'data[blockId]',
      'data[entityTypeId]',
      'data[entityId]',
      'data[activityId]',
      'data[id]',
    ]);
    expect(got?.body).toMatchObject({
      event: 'ONCRMTIMELINEITEMACTION',
      data: {
        approvalId: '42',
        blockId: 'time',
        entityTypeId: '2',
        entityId: String(dealId),
        activityId: String(id),
        id: 'approve',
      },
      auth: { user_id: String(maria.id), member_id: p.memberId, application_token: p.applicationToken },
    });
    if (!got) throw new Error('no delivery');
    const auth = got.body.auth as Record<string, string>;
    expect(auth.refresh_token).toBeUndefined();
    expect((got.body.data as Record<string, string>).userId).toBeUndefined();
    // the clicker's token acts as the clicker
    const me = await rest(p.clientEndpoint, 'user.current', {}, auth.access_token);
    expect((me.body.result as { ID: string }).ID).toBe(String(maria.id));
  });

  it('adds data[userId] behind the switch', async () => {
    await emu.client.setSettings({ sendUserIdInData: true });
    const id = await addActivity(approvalLayout());
    await emu.client.click(p.memberId, { activityId: id, actionId: 'note' });
    expect(receiver.received[0]?.body.data).toMatchObject({ id: 'note', userId: '1' });
  });

  it('goes only to the app that created the activity, and not at all when it is not installed', async () => {
    const other = await emu.client.registerApp({ installUrl: `${receiver.url}/other-install`, withUi: false });
    await emu.client.installApp(p.memberId, other.clientId);
    const ot = await emu.client.issueTokens(p.memberId, other.clientId);
    await rest(
      p.clientEndpoint,
      'event.bind',
      { event: 'ONCRMTIMELINEITEMACTION', handler: `${receiver.url}/other` },
      ot.access_token,
    );
    receiver.received.length = 0;
    const id = await addActivity(seedLayout);
    const click = await emu.client.click(p.memberId, { activityId: id, actionId: 'confirm' });
    expect(click.delivered).toBe(1);
    expect(receiver.received.map((r) => r.path)).toEqual(['/events']);
    await emu.client.uninstallApp(p.memberId, p.clientId);
    expect((await emu.client.click(p.memberId, { activityId: id, actionId: 'decline', force: true })).delivered).toBe(
      0,
    );
  });

  it('does not retry a failed delivery', async () => {
    receiver.status = 500;
    const id = await addActivity(seedLayout);
    expect(await emu.client.click(p.memberId, { activityId: id, actionId: 'confirm' })).toMatchObject({
      delivered: 1,
      statuses: [500],
    });
    await emu.client.idle();
    expect(receiver.received).toHaveLength(1);
  });

  it('refuses unknown actions and activities', async () => {
    const id = await addActivity(seedLayout);
    await expect(emu.client.click(p.memberId, { activityId: id, actionId: 'nope' })).rejects.toMatchObject({
      code: 'ACTION_NOT_FOUND',
      status: 404,
    });
    await expect(emu.client.click(p.memberId, { activityId: 5, actionId: 'confirm' })).rejects.toMatchObject({
      code: 'ACTIVITY_NOT_FOUND',
    });
  });
});

describe('UI lock semantics', () => {
  it('loader locks the whole record until crm.activity.configurable.update, and the duration is recorded', async () => {
    const id = await addActivity(approvalLayout({ approveAnimation: 'loader' }));
    await emu.client.click(p.memberId, { activityId: id, actionId: 'approve' });
    expect(await emu.client.activity(p.memberId, id)).toMatchObject({ locked: true, lockKind: 'loader' });
    // a locked record cannot be clicked again
    await expect(emu.client.click(p.memberId, { activityId: id, actionId: 'reject' })).rejects.toMatchObject({
      code: 'ACTIVITY_LOCKED',
    });
    await new Promise((r) => setTimeout(r, 120));
    await rest(
      p.clientEndpoint,
      'crm.activity.configurable.update',
      { id, layout: approvalLayout({ tag: 'success' }) },
      p.token,
    );
    expect(await emu.client.activity(p.memberId, id)).toMatchObject({ locked: false, lockKind: null, updates: 1 });
    const [lock] = await emu.client.locks({ memberId: p.memberId });
    expect(lock).toMatchObject({ activityId: id, kind: 'loader', actionId: 'approve', releasedBy: 'update' });
    expect(lock?.durationMs).toBeGreaterThanOrEqual(100);
    expect(lock?.releasedAt).toBe((lock?.lockedAt ?? 0) + (lock?.durationMs ?? 0));
  });

  it('disable locks only the clicked footer button', async () => {
    const id = await addActivity(approvalLayout({ approveAnimation: 'loader' }));
    await emu.client.click(p.memberId, { activityId: id, actionId: 'reject' });
    expect(await emu.client.activity(p.memberId, id)).toMatchObject({
      locked: true,
      lockKind: 'disable',
      disabledButtons: ['reject'],
    });
    await expect(emu.client.click(p.memberId, { activityId: id, actionId: 'reject' })).rejects.toMatchObject({
      code: 'ACTIVITY_LOCKED',
    });
    // the other button still works
    expect((await emu.client.click(p.memberId, { activityId: id, actionId: 'approve' })).delivered).toBe(1);
    await rest(p.clientEndpoint, 'crm.activity.configurable.update', { id, fields: { completed: true } }, p.token);
    const locks = await emu.client.locks({ memberId: p.memberId });
    expect(locks.map((l) => [l.kind, l.releasedBy])).toEqual([
      ['disable', 'update'],
      ['loader', 'update'],
    ]);
  });

  it('an action without animationType locks nothing; an update by another app does not unlock', async () => {
    const id = await addActivity(approvalLayout());
    await emu.client.click(p.memberId, { activityId: id, actionId: 'note' });
    expect((await emu.client.activity(p.memberId, id)).locked).toBe(false);
    await emu.client.click(p.memberId, { activityId: id, actionId: 'approve' });
    const other = await emu.client.registerApp({ installUrl: `${receiver.url}/x`, withUi: false });
    await emu.client.installApp(p.memberId, other.clientId);
    const ot = await emu.client.issueTokens(p.memberId, other.clientId);
    await rest(
      p.clientEndpoint,
      'crm.activity.configurable.update',
      { id, fields: { completed: true } },
      ot.access_token,
    );
    expect((await emu.client.activity(p.memberId, id)).locked).toBe(true);
  });
});
