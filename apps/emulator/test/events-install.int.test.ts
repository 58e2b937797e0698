import { beforeEach, describe, expect, it } from 'vitest';
import { type InstalledPortal, portalWithApp, rest, startReceiver, useEmulator } from './helpers.js';

const env = useEmulator({ resetReceiver: true });

describe('event.bind / event.unbind / event.get', () => {
  let p: InstalledPortal;
  beforeEach(async () => {
    p = await portalWithApp(env.emu, env.receiver);
  });

  it('binds, lists, refuses duplicates with ERROR_CORE, unbinds', async () => {
    const handler = `${env.receiver.url}/events`;
    expect(
      (await rest(p.clientEndpoint, 'event.bind', { event: 'onCrmTimelineItemAction', handler }, p.token)).body.result,
    ).toBe(true);
    expect(
      await rest(p.clientEndpoint, 'event.bind', { event: 'ONCRMTIMELINEITEMACTION', handler }, p.token),
    ).toMatchObject({
      status: 400,
      body: { error: 'ERROR_CORE', error_description: 'Unable to set event handler: Handler already binded' },
    });
    const list = await rest(p.clientEndpoint, 'event.get', {}, p.token);
    expect(list.body.result).toContainEqual({ event: 'ONCRMTIMELINEITEMACTION', handler, auth_type: '0', offline: 0 });
    expect(
      (await rest(p.clientEndpoint, 'event.unbind', { event: 'ONCRMTIMELINEITEMACTION', handler }, p.token)).body
        .result,
    ).toEqual({ count: 1 });
    expect(
      (await rest(p.clientEndpoint, 'event.unbind', { event: 'ONCRMTIMELINEITEMACTION', handler }, p.token)).body
        .result,
    ).toEqual({ count: 0 });
  });

  it('validates event, handler and event_type like HandlerHelper', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ event: 'ONNOTHING', handler: `${env.receiver.url}/e` }, 400, 'ERROR_EVENT_NOT_FOUND'],
      [{ event: 'ONAPPUNINSTALL', handler: '' }, 400, 'ERROR_ARGUMENT'],
      [{ event: 'ONAPPUNINSTALL', handler: 'http://localhost:3000/e' }, 400, 'ERROR_WRONG_HANDLER_URL'],
      [{ event: 'ONAPPUNINSTALL', handler: 'ftp://a.example/e' }, 400, 'ERROR_UNSUPPORTED_PROTOCOL'],
      [{ event: 'ONAPPUNINSTALL', handler: `${env.receiver.url}/e`, event_type: 'weird' }, 400, 'ERROR_ARGUMENT'],
    ];
    for (const [params, status, code] of cases) {
      expect(await rest(p.clientEndpoint, 'event.bind', params, p.token)).toMatchObject({
        status,
        body: { error: code },
      });
    }
    const missing = await rest(p.clientEndpoint, 'event.bind', { event: 'ONAPPUNINSTALL' }, p.token);
    expect(missing.body).toMatchObject({
      argument: 'HANDLER',
      error_description: "Argument 'HANDLER' is null or empty",
    });
  });

  it('refuses events outside the app scope, offline/auth_type binds by non-admins, and webhook auth', async () => {
    const narrow = await portalWithApp(env.emu, env.receiver, { scope: 'placement' });
    expect(
      (
        await rest(
          narrow.clientEndpoint,
          'event.bind',
          { event: 'ONCRMDEALADD', handler: `${env.receiver.url}/e` },
          narrow.token,
        )
      ).body.error,
    ).toBe('ERROR_EVENT_NOT_FOUND');
    const user = await env.emu.client.createUser(p.memberId, { name: 'Simple User' });
    const t = await env.emu.client.issueTokens(p.memberId, p.clientId, user.id);
    expect(
      await rest(p.clientEndpoint, 'event.bind', { event: 'ONCRMDEALADD', event_type: 'offline' }, t.access_token),
    ).toMatchObject({
      status: 403,
      body: { error: 'ACCESS_DENIED' },
    });
    expect(
      await rest(
        p.clientEndpoint,
        'event.bind',
        { event: 'ONCRMDEALADD', handler: `${env.receiver.url}/e`, auth_type: 1 },
        t.access_token,
      ),
    ).toMatchObject({ status: 403, body: { error: 'ACCESS_DENIED' } });
    const hook = await env.emu.client.createWebhook(p.memberId);
    const viaHook = await fetch(
      `${hook.url}event.bind?event=ONCRMDEALADD&handler=${encodeURIComponent(`${env.receiver.url}/e`)}`,
    );
    expect(viaHook.status).toBe(403);
    expect(await viaHook.json()).toMatchObject({ error: 'WRONG_AUTH_TYPE' });
  });

  it('event.get shows a non-admin only their own handlers', async () => {
    await rest(
      p.clientEndpoint,
      'event.bind',
      { event: 'ONCRMDEALADD', handler: `${env.receiver.url}/admin` },
      p.token,
    );
    const user = await env.emu.client.createUser(p.memberId, { name: 'Simple User' });
    const t = await env.emu.client.issueTokens(p.memberId, p.clientId, user.id);
    await rest(
      p.clientEndpoint,
      'event.bind',
      { event: 'ONCRMDEALADD', handler: `${env.receiver.url}/user` },
      t.access_token,
    );
    const mine = await rest(p.clientEndpoint, 'event.get', {}, t.access_token);
    expect((mine.body.result as { handler: string }[]).map((b) => b.handler)).toEqual([`${env.receiver.url}/user`]);
    // the admin sees every handler of the app, the install handler registered for a no-UI app included
    const all = (await rest(p.clientEndpoint, 'event.get', {}, p.token)).body.result as {
      event: string;
      handler: string;
    }[];
    expect(all.map((b) => `${b.event} ${b.handler.replace(env.receiver.url, '')}`)).toEqual([
      'ONAPPINSTALL /install',
      'ONCRMDEALADD /admin',
      'ONCRMDEALADD /user',
    ]);
  });

  it('event.test delivers ONAPPTEST form-encoded, strings only, in the captured order, with a refresh token', async () => {
    await rest(p.clientEndpoint, 'event.bind', { event: 'ONAPPTEST', handler: `${env.receiver.url}/events` }, p.token);
    expect((await rest(p.clientEndpoint, 'event.test', { any: 'thing' }, p.token)).body.result).toBe(1);
    const [d] = await env.emu.client.waitForDeliveries({ event: 'ONAPPTEST' });
    expect(d).toMatchObject({ status: 200, url: `${env.receiver.url}/events`, attempt: 1, error: null });
    const got = env.receiver.received.find((r) => r.path === '/events');
    expect(got?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(got?.headers['user-agent']).toBe('Bitrix24 Webhook Engine');
    const keys = [...new URLSearchParams(got?.raw ?? '').keys()];
    expect(keys).toEqual([
      'event',
      'event_handler_id',
      'data[QUERY][any]',
      'data[LANGUAGE_ID]',
      'ts',
      'auth[access_token]',
      'auth[expires]',
      'auth[expires_in]',
      'auth[scope]',
      'auth[domain]',
      'auth[server_endpoint]',
      'auth[status]',
      'auth[client_endpoint]',
      'auth[member_id]',
      'auth[user_id]',
      'auth[refresh_token]',
      'auth[application_token]',
    ]);
    expect(got?.body).toMatchObject({
      event: 'ONAPPTEST',
      data: { QUERY: { any: 'thing' }, LANGUAGE_ID: 'en' },
      auth: {
        domain: p.domain,
        client_endpoint: p.clientEndpoint,
        server_endpoint: env.emu.oauthServerEndpoint,
        member_id: p.memberId,
        user_id: '1',
        application_token: p.applicationToken,
        status: 'L',
        expires_in: '3600',
      },
    });
    // the event's access token works at the portal
    const auth = got?.body.auth as Record<string, string>;
    expect((await rest(p.clientEndpoint, 'profile', {}, auth.access_token)).status).toBe(200);
  });
});

describe('installation', () => {
  /** a portal with the app installed and ONAPPUNINSTALL bound to {receiver}/events */
  async function portalWithUninstallHandler() {
    const p = await portalWithApp(env.emu, env.receiver);
    const handler = `${env.receiver.url}/events`;
    await rest(p.clientEndpoint, 'event.bind', { event: 'ONAPPUNINSTALL', handler }, p.token);
    return p;
  }

  it('app with UI: frame POST to the install URL, INSTALLED=N and no events until installFinish, then ONAPPINSTALL', async () => {
    const portal = await env.emu.client.createPortal();
    const app = await env.emu.client.registerApp({
      installUrl: `${env.receiver.url}/install`,
      appUrl: `${env.receiver.url}/app`,
    });
    // the install page binds its handlers with the frame's AUTH_ID, as a real installer does
    env.receiver.onRequest = async (r) => {
      if (r.path !== '/install') return;
      const auth = String(r.body.AUTH_ID);
      for (const event of ['ONAPPINSTALL', 'ONAPPUNINSTALL', 'ONAPPTEST']) {
        await rest(portal.clientEndpoint, 'event.bind', { event, handler: `${env.receiver.url}/events` }, auth);
      }
      const info = await rest(portal.clientEndpoint, 'app.info', {}, auth);
      expect(info.body.result).toMatchObject({ INSTALLED: false });
      await rest(portal.clientEndpoint, 'event.test', {}, auth);
    };
    const result = await env.emu.client.installApp(portal.memberId, app.clientId, { finish: false });
    expect(result).toMatchObject({ installStatus: 200, installed: false });
    expect(result.applicationToken).toMatch(/^[0-9a-f]{32}$/);

    const frame = env.receiver.received.find((r) => r.path === '/install');
    expect(frame?.query).toEqual({
      DOMAIN: portal.domain,
      PROTOCOL: '0',
      LANG: 'en',
      APP_SID: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(Object.keys(frame?.body ?? {})).toEqual([
      'AUTH_ID',
      'AUTH_EXPIRES',
      'REFRESH_ID',
      'SERVER_ENDPOINT',
      'APPLICATION_TOKEN',
      'APPLICATION_SCOPE',
      'member_id',
      'status',
      'PLACEMENT',
      'PLACEMENT_OPTIONS',
    ]);
    expect(frame?.body).toMatchObject({
      AUTH_EXPIRES: '3600',
      SERVER_ENDPOINT: env.emu.oauthServerEndpoint,
      APPLICATION_TOKEN: result.applicationToken,
      member_id: portal.memberId,
      status: 'L',
      PLACEMENT: 'DEFAULT',
    });
    await env.emu.client.idle();
    // ONAPPTEST fired while INSTALLED=N: not delivered
    expect(await env.emu.client.deliveries({ memberId: portal.memberId })).toEqual([]);

    await env.emu.client.finishInstall(portal.memberId, app.clientId);
    const [install] = await env.emu.client.waitForDeliveries({ event: 'ONAPPINSTALL' });
    expect(install?.fields).toMatchObject({
      event: 'ONAPPINSTALL',
      data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' },
      auth: { application_token: result.applicationToken, user_id: '1', refresh_token: expect.any(String) },
    });
    await expect(env.emu.client.finishInstall(portal.memberId, app.clientId)).rejects.toMatchObject({
      code: 'APP_ALREADY_INSTALLED',
    });
  });

  it('app without UI: ONAPPINSTALL goes to the install URL at once and installStatus is its answer', async () => {
    env.receiver.status = 500;
    const portal = await env.emu.client.createPortal();
    const app = await env.emu.client.registerApp({ installUrl: `${env.receiver.url}/hook`, withUi: false });
    const result = await env.emu.client.installApp(portal.memberId, app.clientId);
    expect(result).toMatchObject({ installStatus: 500, installed: true });
    const [got] = env.receiver.received;
    expect(got?.body).toMatchObject({ event: 'ONAPPINSTALL', auth: { refresh_token: expect.any(String) } });
    // no retry by default
    await env.emu.client.idle();
    expect(env.receiver.received).toHaveLength(1);
  });

  it('the legacy frame POST switch omits SERVER_ENDPOINT, APPLICATION_TOKEN and APPLICATION_SCOPE', async () => {
    await env.emu.client.setSettings({ legacyFramePost: true });
    const portal = await env.emu.client.createPortal();
    const app = await env.emu.client.registerApp({ installUrl: `${env.receiver.url}/install` });
    await env.emu.client.installApp(portal.memberId, app.clientId);
    expect(Object.keys(env.receiver.received[0]?.body ?? {})).toEqual([
      'AUTH_ID',
      'AUTH_EXPIRES',
      'REFRESH_ID',
      'member_id',
      'status',
      'PLACEMENT',
      'PLACEMENT_OPTIONS',
    ]);
  });

  it('uninstall sends ONAPPUNINSTALL without tokens, then drops handlers and tokens', async () => {
    const p = await portalWithUninstallHandler();
    env.receiver.received.length = 0;
    await env.emu.client.uninstallApp(p.memberId, p.clientId, { clean: true });
    const [got] = env.receiver.received;
    expect(got?.body).toEqual({
      event: 'ONAPPUNINSTALL',
      event_handler_id: expect.any(String),
      data: { LANGUAGE_ID: 'en', CLEAN: '1' },
      ts: expect.any(String),
      auth: {
        domain: p.domain,
        server_endpoint: env.emu.oauthServerEndpoint,
        client_endpoint: p.clientEndpoint,
        member_id: p.memberId,
        application_token: p.applicationToken,
      },
    });
    expect((await rest(p.clientEndpoint, 'profile', {}, p.token)).status).toBe(401);
    const refresh = await fetch(
      `${env.emu.url}/oauth/token/?grant_type=refresh_token&client_id=${p.clientId}&client_secret=${p.clientSecret}&refresh_token=${p.refreshToken}`,
    );
    expect(refresh.status).toBeGreaterThanOrEqual(400);
    // reinstall works and gets a new application token
    const again = await env.emu.client.installApp(p.memberId, p.clientId);
    expect(again.applicationToken).not.toBe(p.applicationToken);
    expect((await env.emu.client.portal(p.memberId)).apps).toHaveLength(1);
  });

  it('CLEAN is 0 when data is kept', async () => {
    const p = await portalWithUninstallHandler();
    await env.emu.client.uninstallApp(p.memberId, p.clientId);
    const [d] = await env.emu.client.deliveries({ event: 'ONAPPUNINSTALL' });
    expect(d?.fields).toMatchObject({ data: { CLEAN: '0' } });
  });
});

describe('delivery semantics', () => {
  it('one POST per bound handler, no retry on failure, retries behind the switch', async () => {
    const p = await portalWithApp(env.emu, env.receiver);
    await rest(p.clientEndpoint, 'event.bind', { event: 'ONAPPTEST', handler: `${env.receiver.url}/a` }, p.token);
    await rest(p.clientEndpoint, 'event.bind', { event: 'ONAPPTEST', handler: `${env.receiver.url}/b` }, p.token);
    env.receiver.status = 503;
    env.receiver.received.length = 0;
    await rest(p.clientEndpoint, 'event.test', {}, p.token);
    await env.emu.client.idle();
    expect(env.receiver.received.map((r) => r.path).sort()).toEqual(['/a', '/b']);

    await env.emu.client.setSettings({ retryFailedDeliveries: true, deliveryRetries: 2, deliveryRetryDelayMs: 10 });
    env.receiver.received.length = 0;
    await rest(p.clientEndpoint, 'event.test', {}, p.token);
    await env.emu.client.idle();
    expect(env.receiver.received).toHaveLength(6);
    const attempts = (await env.emu.client.deliveries({ event: 'ONAPPTEST' })).map((d) => d.attempt);
    expect(attempts.filter((a) => a === 3)).toHaveLength(2);
  });

  it('records unreachable handlers as status 0', async () => {
    const p = await portalWithApp(env.emu, env.receiver);
    const dead = await startReceiver();
    const url = `${dead.url}/gone`;
    await dead.close();
    await rest(p.clientEndpoint, 'event.bind', { event: 'ONAPPTEST', handler: url }, p.token);
    await rest(p.clientEndpoint, 'event.test', {}, p.token);
    const [d] = await env.emu.client.waitForDeliveries({ event: 'ONAPPTEST' });
    expect(d).toMatchObject({ status: 0, error: 'NETWORK_ERROR' });
  });
});
