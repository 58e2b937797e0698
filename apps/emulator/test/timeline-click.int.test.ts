import { sampleApprovalLayout, SEED_LAYOUTS } from '@b24app/layout/seed-examples';
import { describe, expect, it } from 'vitest';
import { rest, useEmulator } from './helpers.js';

/** the "Structure of Configurable Activity" example */
const seedLayout = SEED_LAYOUTS.structureExample;
const env = useEmulator({ resetReceiver: true, portal: true, deal: 'Deal 15', bindClicks: true });

async function addActivity(layout: object, token = env.p.token): Promise<number> {
  const r = await rest(
    env.p.clientEndpoint,
    'crm.activity.configurable.add',
    { ownerTypeId: 2, ownerId: env.dealId, fields: {}, layout },
    token,
  );
  return (r.body.result as { activity: { id: number } }).activity.id;
}

describe('clicking a restEvent action', () => {
  it('delivers ONCRMTIMELINEITEMACTION with the action context and actionParams flattened into data', async () => {
    const id = await addActivity(sampleApprovalLayout());
    const maria = await env.emu.client.createUser(env.p.memberId, { name: 'Maria Manager' });
    const click = await env.emu.client.click(env.p.memberId, { activityId: id, actionId: 'approve', userId: maria.id });
    expect(click).toMatchObject({ delivered: 1, statuses: [200] });
    const got = env.receiver.received.find((r) => r.path === '/events');
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
        entityId: String(env.dealId),
        activityId: String(id),
        id: 'approve',
      },
      auth: { user_id: String(maria.id), member_id: env.p.memberId, application_token: env.p.applicationToken },
    });
    if (!got) throw new Error('no delivery');
    const auth = got.body.auth as Record<string, string>;
    expect(auth.refresh_token).toBeUndefined();
    expect((got.body.data as Record<string, string>).userId).toBeUndefined();
    // the clicker's token acts as the clicker
    const me = await rest(env.p.clientEndpoint, 'user.current', {}, auth.access_token);
    expect((me.body.result as { ID: string }).ID).toBe(String(maria.id));
  });

  it('adds data[userId] behind the switch', async () => {
    await env.emu.client.setSettings({ sendUserIdInData: true });
    const id = await addActivity(sampleApprovalLayout());
    await env.emu.client.click(env.p.memberId, { activityId: id, actionId: 'note' });
    expect(env.receiver.received[0]?.body.data).toMatchObject({ id: 'note', userId: '1' });
  });

  it('goes only to the app that created the activity, and not at all when it is not installed', async () => {
    const other = await env.emu.client.registerApp({ installUrl: `${env.receiver.url}/other-install`, withUi: false });
    await env.emu.client.installApp(env.p.memberId, other.clientId);
    const ot = await env.emu.client.issueTokens(env.p.memberId, other.clientId);
    await rest(
      env.p.clientEndpoint,
      'event.bind',
      { event: 'ONCRMTIMELINEITEMACTION', handler: `${env.receiver.url}/other` },
      ot.access_token,
    );
    env.receiver.received.length = 0;
    const id = await addActivity(seedLayout);
    const click = await env.emu.client.click(env.p.memberId, { activityId: id, actionId: 'confirm' });
    expect(click.delivered).toBe(1);
    expect(env.receiver.received.map((r) => r.path)).toEqual(['/events']);
    await env.emu.client.uninstallApp(env.p.memberId, env.p.clientId);
    expect(
      (await env.emu.client.click(env.p.memberId, { activityId: id, actionId: 'decline', force: true })).delivered,
    ).toBe(0);
  });

  it('does not retry a failed delivery', async () => {
    env.receiver.status = 500;
    const id = await addActivity(seedLayout);
    expect(await env.emu.client.click(env.p.memberId, { activityId: id, actionId: 'confirm' })).toMatchObject({
      delivered: 1,
      statuses: [500],
    });
    await env.emu.client.idle();
    expect(env.receiver.received).toHaveLength(1);
  });

  it('refuses unknown actions and activities', async () => {
    const id = await addActivity(seedLayout);
    await expect(env.emu.client.click(env.p.memberId, { activityId: id, actionId: 'nope' })).rejects.toMatchObject({
      code: 'ACTION_NOT_FOUND',
      status: 404,
    });
    await expect(env.emu.client.click(env.p.memberId, { activityId: 5, actionId: 'confirm' })).rejects.toMatchObject({
      code: 'ACTIVITY_NOT_FOUND',
    });
  });
});

describe('UI lock semantics', () => {
  it('loader locks the whole record until crm.activity.configurable.update, and the duration is recorded', async () => {
    const id = await addActivity(sampleApprovalLayout({ approveAnimation: 'loader' }));
    await env.emu.client.click(env.p.memberId, { activityId: id, actionId: 'approve' });
    expect(await env.emu.client.activity(env.p.memberId, id)).toMatchObject({ locked: true, lockKind: 'loader' });
    // a locked record cannot be clicked again
    await expect(env.emu.client.click(env.p.memberId, { activityId: id, actionId: 'reject' })).rejects.toMatchObject({
      code: 'ACTIVITY_LOCKED',
    });
    await env.emu.client.advanceClock(120);
    await rest(
      env.p.clientEndpoint,
      'crm.activity.configurable.update',
      { id, fields: {}, layout: sampleApprovalLayout({ tag: 'success' }) },
      env.p.token,
    );
    expect(await env.emu.client.activity(env.p.memberId, id)).toMatchObject({
      locked: false,
      lockKind: null,
      updates: 1,
    });
    const [lock] = await env.emu.client.locks({ memberId: env.p.memberId });
    expect(lock).toMatchObject({ activityId: id, kind: 'loader', actionId: 'approve', releasedBy: 'update' });
    expect(lock?.durationMs).toBeGreaterThanOrEqual(120);
    expect(lock?.releasedAt).toBe((lock?.lockedAt ?? 0) + (lock?.durationMs ?? 0));
  });

  it('disable locks only the clicked footer button', async () => {
    const id = await addActivity(sampleApprovalLayout({ approveAnimation: 'loader' }));
    await env.emu.client.click(env.p.memberId, { activityId: id, actionId: 'reject' });
    expect(await env.emu.client.activity(env.p.memberId, id)).toMatchObject({
      locked: true,
      lockKind: 'disable',
      disabledButtons: ['reject'],
    });
    await expect(env.emu.client.click(env.p.memberId, { activityId: id, actionId: 'reject' })).rejects.toMatchObject({
      code: 'ACTIVITY_LOCKED',
    });
    // the other button still works
    expect((await env.emu.client.click(env.p.memberId, { activityId: id, actionId: 'approve' })).delivered).toBe(1);
    await rest(
      env.p.clientEndpoint,
      'crm.activity.configurable.update',
      { id, fields: { completed: true }, layout: sampleApprovalLayout() },
      env.p.token,
    );
    const locks = await env.emu.client.locks({ memberId: env.p.memberId });
    expect(locks.map((l) => [l.kind, l.releasedBy])).toEqual([
      ['disable', 'update'],
      ['loader', 'update'],
    ]);
  });

  it('an action without animationType locks nothing; an update by another app does not unlock', async () => {
    const id = await addActivity(sampleApprovalLayout());
    await env.emu.client.click(env.p.memberId, { activityId: id, actionId: 'note' });
    expect((await env.emu.client.activity(env.p.memberId, id)).locked).toBe(false);
    await env.emu.client.click(env.p.memberId, { activityId: id, actionId: 'approve' });
    const other = await env.emu.client.registerApp({ installUrl: `${env.receiver.url}/x`, withUi: false });
    await env.emu.client.installApp(env.p.memberId, other.clientId);
    const ot = await env.emu.client.issueTokens(env.p.memberId, other.clientId);
    await rest(
      env.p.clientEndpoint,
      'crm.activity.configurable.update',
      { id, fields: { completed: true }, layout: sampleApprovalLayout() },
      ot.access_token,
    );
    expect((await env.emu.client.activity(env.p.memberId, id)).locked).toBe(true);
  });
});
