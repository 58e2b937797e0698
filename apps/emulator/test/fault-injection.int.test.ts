import { sampleApprovalLayout } from '@b24app/layout/seed-examples';
import { describe, expect, it } from 'vitest';
import { EmulatorClientError } from '../src/index.js';
import { portalWithApp, rest, useEmulator } from './helpers.js';

// The control API's fault injection: Bitrix24 errors, delays, late (held) event deliveries, and non-admin users.

const env = useEmulator({ resetReceiver: true, portal: true });
const UPDATE = 'crm.activity.configurable.update';

function refresh(refreshToken: string) {
  const q = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: env.p.clientId,
    client_secret: env.p.clientSecret,
    refresh_token: refreshToken,
  });
  return fetch(`${env.emu.url}/oauth/token/?${q}`);
}

describe('injected Bitrix24 errors', () => {
  it('answers the given code, description and status for `count` calls, then the method works again', async () => {
    await env.emu.client.injectFailures({
      method: 'profile',
      count: 2,
      kind: 'error',
      error: { code: 'OVERLOAD_LIMIT', description: 'REST API is blocked due to overload.', status: 503 },
    });
    for (let i = 0; i < 2; i++) {
      expect(await rest(env.p.clientEndpoint, 'profile', {}, env.p.token)).toMatchObject({
        status: 503,
        body: { error: 'OVERLOAD_LIMIT', error_description: 'REST API is blocked due to overload.' },
      });
    }
    expect((await rest(env.p.clientEndpoint, 'profile', {}, env.p.token)).status).toBe(200);
    const calls = await env.emu.client.calls({ method: 'profile' });
    expect(calls.map((c) => [c.status, c.error])).toEqual([
      [503, 'OVERLOAD_LIMIT'],
      [503, 'OVERLOAD_LIMIT'],
      [200, null],
    ]);
  });

  it('defaults to status 400 and the code as description', async () => {
    await env.emu.client.injectFailures({
      method: UPDATE,
      count: 1,
      kind: 'error',
      error: { code: 'WRONG_FIELD_VALUE' },
    });
    expect(await rest(env.p.clientEndpoint, UPDATE, { id: 1 }, env.p.token)).toMatchObject({
      status: 400,
      body: { error: 'WRONG_FIELD_VALUE', error_description: 'WRONG_FIELD_VALUE' },
    });
  });

  it('keeps failing a persistent rule on one portal only, until that rule is cleared', async () => {
    const other = await portalWithApp(env.emu, env.receiver);
    const rule = await env.emu.client.injectFailures({
      memberId: env.p.memberId,
      method: 'user.current',
      persistent: true,
      kind: 'error',
      error: { code: 'ACCESS_DENIED', description: 'Access denied.', status: 403 },
    });
    expect(rule).toMatchObject({ id: expect.any(Number), remaining: null, kind: 'error' });
    for (let i = 0; i < 5; i++) {
      expect((await rest(env.p.clientEndpoint, 'user.current', {}, env.p.token)).body.error).toBe('ACCESS_DENIED');
    }
    expect((await rest(other.clientEndpoint, 'user.current', {}, other.token)).status).toBe(200);
    expect(await env.emu.client.failures()).toHaveLength(1);
    await env.emu.client.clearFailures(rule.id);
    expect(await env.emu.client.failures()).toEqual([]);
    expect((await rest(env.p.clientEndpoint, 'user.current', {}, env.p.token)).status).toBe(200);
  });

  it('can answer expired_token 401 for a token that is still valid', async () => {
    await env.emu.client.injectFailures({
      method: 'profile',
      count: 1,
      kind: 'error',
      error: { code: 'expired_token', description: 'The access token provided has expired.', status: 401 },
    });
    expect(await rest(env.p.clientEndpoint, 'profile', {}, env.p.token)).toMatchObject({
      status: 401,
      body: { error: 'expired_token' },
    });
    expect((await rest(env.p.clientEndpoint, 'profile', {}, env.p.token)).status).toBe(200);
  });

  it('loses the answer of a method that ran (phase after) with a Bitrix24 error', async () => {
    await env.emu.client.injectFailures({
      method: 'event.bind',
      count: 1,
      kind: 'error',
      phase: 'after',
      error: { code: 'INTERNAL_SERVER_ERROR', status: 500 },
    });
    const bind = { event: 'ONAPPTEST', handler: `${env.receiver.url}/t` };
    expect((await rest(env.p.clientEndpoint, 'event.bind', bind, env.p.token)).status).toBe(500);
    const bound = await rest(env.p.clientEndpoint, 'event.get', {}, env.p.token);
    expect(bound.body.result).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'ONAPPTEST' })]));
  });

  it('refuses a rule it cannot apply, with INVALID_INPUT', async () => {
    const bad = [
      { method: 'profile', kind: 'error' as const, count: 1 },
      { method: 'profile', kind: '500' as const },
      { method: 'profile', kind: '500' as const, count: 1, persistent: true as const },
      { method: 'profile', kind: 'delay' as const, count: 1 },
    ];
    for (const f of bad) {
      await expect(env.emu.client.injectFailures(f)).rejects.toMatchObject({ code: 'INVALID_INPUT', status: 400 });
    }
    expect(await env.emu.client.failures()).toEqual([]);
  });
});

describe('injected delays', () => {
  it('answers a REST method normally, but only after the delay', async () => {
    await env.emu.client.injectFailures({ method: 'profile', count: 1, kind: 'delay', delayMs: 400 });
    const order: string[] = [];
    const slow = rest(env.p.clientEndpoint, 'profile', {}, env.p.token).then((r) => {
      order.push('profile');
      return r;
    });
    // a call started after the delayed one answers before it
    await rest(env.p.clientEndpoint, 'user.current', {}, env.p.token).then(() => order.push('user.current'));
    expect((await slow).status).toBe(200);
    expect(order).toEqual(['user.current', 'profile']);
    const [entry] = await env.emu.client.calls({ method: 'profile' });
    expect(entry?.durationMs).toBeGreaterThanOrEqual(400);
  });

  it('delays the OAuth token endpoint, and the refresh still succeeds', async () => {
    await env.emu.client.injectFailures({ method: 'oauth.token', count: 1, kind: 'delay', delayMs: 300 });
    const res = await refresh(env.p.refreshToken);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { member_id: string }).member_id).toBe(env.p.memberId);
    const [entry] = await env.emu.client.calls({ method: 'oauth.token' });
    expect(entry?.durationMs).toBeGreaterThanOrEqual(300);
  });

  it('targets the token endpoint of one portal by the refresh token it is given', async () => {
    const other = await portalWithApp(env.emu, env.receiver);
    await env.emu.client.injectFailures({
      memberId: other.memberId,
      method: 'oauth.token',
      persistent: true,
      kind: 'error',
      error: { code: 'invalid_grant', description: 'Invalid grant', status: 400 },
    });
    expect((await refresh(env.p.refreshToken)).status).toBe(200);
    const q = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: other.clientId,
      client_secret: other.clientSecret,
      refresh_token: other.refreshToken,
    });
    const res = await fetch(`${env.emu.url}/oauth/token/?${q}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_grant', error_description: 'Invalid grant' });
  });

  it('loses the answer of a refresh that happened (phase after): the refresh token is spent', async () => {
    await env.emu.client.injectFailures({ method: 'oauth.token', count: 1, kind: '503', phase: 'after' });
    expect((await refresh(env.p.refreshToken)).status).toBe(503);
    const again = await refresh(env.p.refreshToken);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe('invalid_grant');
  });
});

describe('late event delivery', () => {
  it('holds ONAPPUNINSTALL and delivers it after a reinstall with its original ts, or a ts the test sets', async () => {
    await rest(
      env.p.clientEndpoint,
      'event.bind',
      { event: 'ONAPPUNINSTALL', handler: `${env.receiver.url}/uninstall` },
      env.p.token,
    );
    await env.emu.client.holdEvents({ memberId: env.p.memberId, event: 'onAppUninstall', count: 1 });
    await env.emu.client.uninstallApp(env.p.memberId, env.p.clientId, { clean: true });
    await env.emu.client.idle();
    expect(env.receiver.received.filter((r) => r.path === '/uninstall')).toEqual([]);
    const [held] = await env.emu.client.heldDeliveries({ memberId: env.p.memberId });
    if (!held) throw new Error('nothing held');
    expect(held).toMatchObject({ event: 'ONAPPUNINSTALL', url: `${env.receiver.url}/uninstall` });
    expect(held.payload).toMatchObject({ event: 'ONAPPUNINSTALL', data: { CLEAN: '1' } });
    const ts = (held.payload as { ts: string }).ts;
    expect(Number(ts)).toBeGreaterThan(0);

    // the rule was for one delivery: the reinstall's own events go out
    await env.emu.client.installApp(env.p.memberId, env.p.clientId);
    const sent = await env.emu.client.deliverHeld(held.id);
    expect(sent).toMatchObject({ event: 'ONAPPUNINSTALL', status: 200, fields: { ts, data: { CLEAN: '1' } } });
    const got = env.receiver.received.filter((r) => r.path === '/uninstall');
    expect(got.map((r) => r.body.ts)).toEqual([ts]);
    // key order as Bitrix24 sends it: ts stays between data and auth
    expect([...new URLSearchParams(got[0]?.raw).keys()].map((k) => k.split('[')[0])).toEqual([
      'event',
      'event_handler_id',
      'data',
      'data',
      'ts',
      'auth',
      'auth',
      'auth',
      'auth',
      'auth',
    ]);
    expect(await env.emu.client.heldDeliveries()).toEqual([]);
    await expect(env.emu.client.deliverHeld(held.id)).rejects.toMatchObject({ code: 'HELD_NOT_FOUND' });
  });

  it('delivers with a ts the test chooses, and holds persistently until the rule is cleared', async () => {
    const bind = { event: 'ONCRMTIMELINEITEMACTION', handler: `${env.receiver.url}/events` };
    await rest(env.p.clientEndpoint, 'event.bind', bind, env.p.token);
    const deal = await env.emu.client.createCrmItem(env.p.memberId, { entityTypeId: 2, title: 'Deal' });
    const add = await rest(
      env.p.clientEndpoint,
      'crm.activity.configurable.add',
      { ownerTypeId: 2, ownerId: deal.id, fields: {}, layout: sampleApprovalLayout() },
      env.p.token,
    );
    const activityId = (add.body.result as { activity: { id: number } }).activity.id;
    const hold = await env.emu.client.holdEvents({ event: 'ONCRMTIMELINEITEMACTION', persistent: true });
    for (const actionId of ['note', 'note']) await env.emu.client.click(env.p.memberId, { activityId, actionId });
    expect(await env.emu.client.heldDeliveries({ event: 'ONCRMTIMELINEITEMACTION' })).toHaveLength(2);
    await env.emu.client.clearHolds(hold.id);
    const direct = await env.emu.client.click(env.p.memberId, { activityId, actionId: 'note' });
    expect(direct).toMatchObject({ delivered: 1, statuses: [200] });

    const sent = await env.emu.client.deliverAllHeld({ event: 'ONCRMTIMELINEITEMACTION', ts: 1_700_000_000 });
    expect(sent.map((d) => [d.status, d.fields.ts])).toEqual([
      [200, '1700000000'],
      [200, '1700000000'],
    ]);
    // the held token still works: it was issued when the click happened
    const auth = sent[0]?.fields.auth as { access_token: string };
    expect((await rest(env.p.clientEndpoint, 'profile', {}, auth.access_token)).status).toBe(200);
  });
});

describe('non-admin users', () => {
  it('issues tokens that act as that user, and a click carries the clicker’s own token', async () => {
    const user = await env.emu.client.createUser(env.p.memberId, { name: 'Olga Operator' });
    const t = await env.emu.client.issueTokens(env.p.memberId, env.p.clientId, user.id);
    expect(t.user_id).toBe(user.id);
    const profile = await rest(env.p.clientEndpoint, 'profile', {}, t.access_token);
    expect(profile.body.result).toMatchObject({ ID: String(user.id), ADMIN: false });
    expect((await rest(env.p.clientEndpoint, 'user.admin', {}, t.access_token)).body.result).toBe(false);

    await rest(
      env.p.clientEndpoint,
      'event.bind',
      { event: 'ONCRMTIMELINEITEMACTION', handler: `${env.receiver.url}/events` },
      env.p.token,
    );
    const deal = await env.emu.client.createCrmItem(env.p.memberId, { entityTypeId: 2, title: 'Deal' });
    const add = await rest(
      env.p.clientEndpoint,
      'crm.activity.configurable.add',
      { ownerTypeId: 2, ownerId: deal.id, fields: {}, layout: sampleApprovalLayout() },
      env.p.token,
    );
    const activityId = (add.body.result as { activity: { id: number } }).activity.id;
    await env.emu.client.click(env.p.memberId, { activityId, actionId: 'approve', userId: user.id });
    const got = env.receiver.received.find((r) => r.path === '/events');
    const auth = got?.body.auth as { access_token: string; user_id: string };
    expect(auth.user_id).toBe(String(user.id));
    const asClicker = await rest(env.p.clientEndpoint, 'profile', {}, auth.access_token);
    expect(asClicker.body.result).toMatchObject({ ID: String(user.id), ADMIN: false });
  });

  it('refuses tokens for a user the portal does not have', async () => {
    await expect(env.emu.client.issueTokens(env.p.memberId, env.p.clientId, 999)).rejects.toBeInstanceOf(
      EmulatorClientError,
    );
  });
});
