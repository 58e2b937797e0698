import { startEmulator } from '@b24app/emulator';
import { encodePhpForm, type IssuedTokens } from '@b24app/emulator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, waitFor } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

/** A REST call to the portal with the app's own tokens, as our portal client would make it. */
const appRest = (t: IssuedTokens, method: string, params: Record<string, unknown> = {}) =>
  fetch(`${t.client_endpoint}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: t.access_token, ...params }),
  });

/** `auth[...]` of ONAPPINSTALL / ONAPPUPDATE (protocol §1.3): in events, `domain` is the portal host. */
const installAuth = (t: IssuedTokens, portalDomain: string, applicationToken = t.application_token) => ({
  access_token: t.access_token,
  expires: String(t.expires),
  expires_in: '3600',
  scope: t.scope,
  domain: portalDomain,
  server_endpoint: t.server_endpoint,
  status: t.status,
  client_endpoint: t.client_endpoint,
  member_id: t.member_id,
  user_id: String(t.user_id),
  refresh_token: t.refresh_token,
  application_token: applicationToken,
});

/** What the portal says our app is bound to (event.get with the app's own tokens). */
const ourHandlers = async (memberId: string) => {
  const t = await stack.emu.issueTokens(memberId, stack.clientId);
  const res = await appRest(t, 'event.get');
  const body = (await res.json()) as { result: { event: string; handler: string }[] };
  return body.result.filter((b) => b.event !== 'ONAPPINSTALL');
};

const postForm = (path: string, fields: Record<string, unknown>, query = '') =>
  fetch(`${stack.serverUrl}${path}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: encodePhpForm(fields),
  });

describe('install, reinstall, uninstall (issue 5)', () => {
  it('install through the page then the event: one portal, encrypted tokens, handlers bound once', async () => {
    const p = await stack.installedPortal();
    const rows = await stack.db.portal.findMany({ where: { memberId: p.memberId } });
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.status).toBe('ACTIVE');
    expect(row.installFinishedAt).not.toBeNull();
    expect(row.applicationTokenHash).toMatch(/^[0-9a-f]{64}$/);

    const handlers = await ourHandlers(p.memberId);
    expect(handlers.map((h) => h.event).sort()).toEqual(['ONAPPUNINSTALL', 'ONAPPUPDATE', 'ONCRMTIMELINEITEMACTION']);
    expect(new Set(handlers.map((h) => h.handler))).toEqual(new Set([`${stack.serverUrl}/b24/events`]));

    // Encrypted at rest: the raw row holds no token the emulator issued.
    const c = new pg.Client({ connectionString: stack.config.DATABASE_URL });
    await c.connect();
    const raw = await c.query('SELECT * FROM portals WHERE member_id = $1', [p.memberId]);
    await c.end();
    const issued = await stack.emu.issueTokens(p.memberId, stack.clientId);
    expect(raw.rows).toHaveLength(1);
    expect(raw.rows[0].access_token_enc).toEqual(expect.any(String));
    const rawText = JSON.stringify(raw.rows);
    expect(rawText).not.toContain(p.applicationToken);
    expect(rawText).not.toContain(issued.refresh_token);
  });

  it('event first, then page, repeated: still one portal, handlers still bound once, latest tokens kept', async () => {
    const p = await stack.installedPortal();
    for (let round = 0; round < 2; round++) {
      const t = await stack.emu.issueTokens(p.memberId, stack.clientId, p.adminUserId);
      const event = await postForm('/b24/events', {
        event: 'ONAPPINSTALL',
        event_handler_id: '1',
        data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' },
        ts: String(Math.floor(Date.now() / 1000)),
        auth: installAuth(t, p.domain),
      });
      expect(event.status, await event.clone().text()).toBe(200);
      const t2 = await stack.emu.issueTokens(p.memberId, stack.clientId, p.adminUserId);
      const page = await postForm(
        '/b24/install',
        {
          AUTH_ID: t2.access_token,
          AUTH_EXPIRES: '3600',
          REFRESH_ID: t2.refresh_token,
          SERVER_ENDPOINT: t2.server_endpoint,
          APPLICATION_TOKEN: t2.application_token,
          member_id: t2.member_id,
          status: 'L',
          PLACEMENT: 'DEFAULT',
          PLACEMENT_OPTIONS: '{}',
        },
        `?DOMAIN=${encodeURIComponent(p.domain)}&PROTOCOL=0&LANG=en&APP_SID=abc`,
      );
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('BX24.installFinish()');
    }
    expect(await stack.db.portal.count({ where: { memberId: p.memberId } })).toBe(1);
    const handlers = await ourHandlers(p.memberId);
    expect(handlers).toHaveLength(3);
    // The stored tokens work: the portal client can call the portal.
    const row = await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
    expect(row.tokenVersion).toBeGreaterThanOrEqual(5);
  });

  it('a stale handler URL from an old deploy is replaced on reinstall', async () => {
    const p = await stack.installedPortal();
    const t = await stack.emu.issueTokens(p.memberId, stack.clientId, p.adminUserId);
    // An old APP_URL bound by a previous version of the app.
    const bind = await appRest(t, 'event.bind', {
      event: 'ONCRMTIMELINEITEMACTION',
      handler: 'http://10.0.0.1.example/old/events',
    });
    expect(bind.status).toBe(200);
    expect((await ourHandlers(p.memberId)).filter((h) => h.event === 'ONCRMTIMELINEITEMACTION')).toHaveLength(2);
    await postForm(
      '/b24/install',
      {
        AUTH_ID: t.access_token,
        AUTH_EXPIRES: '3600',
        REFRESH_ID: t.refresh_token,
        SERVER_ENDPOINT: t.server_endpoint,
        member_id: t.member_id,
        PLACEMENT: 'DEFAULT',
      },
      `?DOMAIN=${encodeURIComponent(p.domain)}&PROTOCOL=0&LANG=en`,
    );
    const after = (await ourHandlers(p.memberId)).filter((h) => h.event === 'ONCRMTIMELINEITEMACTION');
    expect(after.map((h) => h.handler)).toEqual([`${stack.serverUrl}/b24/events`]);
  });

  it('a forged install is rejected, stores nothing, and never calls the forged host', async () => {
    const evil = await startEmulator({ port: 0, logger: false }); // a host that is not on our allowlists
    try {
      const evilPortal = await evil.client.createPortal();
      const memberId = 'f'.repeat(32);
      const base = { AUTH_EXPIRES: '3600', member_id: memberId, PLACEMENT: 'DEFAULT' };

      // 1. tokens the OAuth server does not know
      const p = await stack.installedPortal();
      const unknown = await postForm(
        '/b24/install',
        {
          ...base,
          AUTH_ID: 'forged-access',
          REFRESH_ID: 'forged-refresh',
          SERVER_ENDPOINT: stack.emulator.oauthServerEndpoint,
        },
        `?DOMAIN=${encodeURIComponent(p.domain)}&PROTOCOL=0`,
      );
      expect(unknown.status).toBe(401);
      expect(await unknown.text()).toContain('Installation failed');

      // 2. server_endpoint off the allowlist
      const evilOauth = await postForm(
        '/b24/install',
        { ...base, AUTH_ID: 'a', REFRESH_ID: 'r', SERVER_ENDPOINT: evil.oauthServerEndpoint },
        `?DOMAIN=${encodeURIComponent(p.domain)}&PROTOCOL=0`,
      );
      expect(evilOauth.status).toBe(400);

      // 3. portal (DOMAIN / client_endpoint) off the allowlist, via page and via event
      const evilDomain = await postForm(
        '/b24/install',
        { ...base, AUTH_ID: 'a', REFRESH_ID: 'r', SERVER_ENDPOINT: stack.emulator.oauthServerEndpoint },
        `?DOMAIN=evil.example.com&PROTOCOL=1`,
      );
      expect(evilDomain.status).toBe(400);
      const evilEvent = await postForm('/b24/events', {
        event: 'ONAPPINSTALL',
        data: { VERSION: '1' },
        auth: {
          access_token: 'a',
          refresh_token: 'r',
          domain: evilPortal.domain.replace('127.0.0.1', 'localhost'),
          server_endpoint: evil.oauthServerEndpoint,
          client_endpoint: `http://${evilPortal.domain.replace('127.0.0.1', 'localhost')}/rest/`,
          member_id: memberId,
          application_token: 'x',
        },
      });
      expect(evilEvent.status).toBe(400);

      expect(await stack.db.portal.count({ where: { memberId } })).toBe(0);
      expect(await evil.client.calls()).toEqual([]);
      // The genuine OAuth server saw only app.info for case 1, nothing for the others.
      const oauthCalls = await stack.emu.calls({ host: new URL(stack.emulator.url).host });
      expect(oauthCalls.filter((c) => c.method === 'app.info' && c.status !== 200).length).toBeGreaterThanOrEqual(1);
    } finally {
      await evil.close();
    }
  });

  it('forged uninstall changes nothing; the genuine one deletes tokens, and CLEAN=1 purges data', async () => {
    const p = await stack.installedPortal();
    const forged = await postForm('/b24/events', {
      event: 'ONAPPUNINSTALL',
      data: { LANGUAGE_ID: 'en', CLEAN: '1' },
      auth: {
        domain: p.domain,
        server_endpoint: stack.emulator.oauthServerEndpoint,
        client_endpoint: `http://${p.domain}/rest/`,
        member_id: p.memberId,
        application_token: '0'.repeat(32),
      },
    });
    expect(forged.status).toBe(401);
    let row = await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
    expect(row.status).toBe('ACTIVE');
    expect(row.accessTokenEnc).not.toBeNull();

    await stack.db.approval.create({
      data: { portalId: row.id, ownerTypeId: 2, ownerId: p.dealId, title: 'x', activityId: 999_999 },
    });
    await stack.emu.uninstallApp(p.memberId, stack.clientId, { clean: true });
    await waitFor(
      async () =>
        (await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } })).status === 'UNINSTALLED',
    );
    row = await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
    expect(row.accessTokenEnc).toBeNull();
    expect(row.refreshTokenEnc).toBeNull();
    expect(await stack.db.approval.count({ where: { portalId: row.id } })).toBe(0);

    // Events for an uninstalled portal are refused.
    const click = await postForm('/b24/events', {
      event: 'ONCRMTIMELINEITEMACTION',
      data: { id: 'approve', entityTypeId: '2', entityId: String(p.dealId), activityId: '1' },
      auth: {
        domain: p.domain,
        server_endpoint: stack.emulator.oauthServerEndpoint,
        client_endpoint: `http://${p.domain}/rest/`,
        member_id: p.memberId,
        user_id: '1',
        application_token: p.applicationToken,
      },
    });
    expect(click.status).toBe(401);
  });

  it('ONAPPUPDATE re-binds dropped handlers; it must carry the stored application token (issue 10 item 1)', async () => {
    const p = await stack.installedPortal();
    const t = await stack.emu.issueTokens(p.memberId, stack.clientId, p.adminUserId);
    // An update drops the app's handlers (protocol §1.4): simulate it.
    const unbind = await appRest(t, 'event.unbind', {
      event: 'ONCRMTIMELINEITEMACTION',
      handler: `${stack.serverUrl}/b24/events`,
    });
    expect(unbind.status).toBe(200);
    expect((await ourHandlers(p.memberId)).map((h) => h.event)).not.toContain('ONCRMTIMELINEITEMACTION');
    const before = await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });

    // An administrator's genuine tokens with an application token of the sender's choosing: refused.
    const update = (applicationToken: string) =>
      postForm('/b24/events', {
        event: 'ONAPPUPDATE',
        data: { VERSION: '2', PREVIOUS_VERSION: '1', LANGUAGE_ID: 'en' },
        ts: String(Math.floor(Date.now() / 1000)),
        auth: installAuth(t, p.domain, applicationToken),
      });
    expect((await update('b'.repeat(32))).status).toBe(401);
    const unchanged = await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
    expect(unchanged.applicationTokenHash).toBe(before.applicationTokenHash);
    expect(unchanged.tokenVersion).toBe(before.tokenVersion);

    expect((await update(p.applicationToken)).status).toBe(200);
    expect((await ourHandlers(p.memberId)).map((h) => h.event).sort()).toEqual([
      'ONAPPUNINSTALL',
      'ONAPPUPDATE',
      'ONCRMTIMELINEITEMACTION',
    ]);
    // Events still authenticate with the installed token only.
    const uninstallWith = (token: string) =>
      postForm('/b24/events', {
        event: 'ONAPPUNINSTALL',
        data: { LANGUAGE_ID: 'en', CLEAN: '0' },
        auth: {
          domain: p.domain,
          server_endpoint: t.server_endpoint,
          client_endpoint: t.client_endpoint,
          member_id: p.memberId,
          application_token: token,
        },
      });
    expect((await uninstallWith('b'.repeat(32))).status).toBe(401);
    expect((await uninstallWith(p.applicationToken)).status).toBe(200);
  });

  it('a user who is not a portal administrator cannot install or update, from the page or an event (issue 10 item 1)', async () => {
    const p = await stack.installedPortal();
    const before = await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
    const user = await stack.emu.createUser(p.memberId, { name: 'Plain User', admin: false });
    // Genuine tokens of our app on this portal, as every user who opens the app holds them.
    const t = await stack.emu.issueTokens(p.memberId, stack.clientId, user.id);
    const chosen = 'c'.repeat(32);
    const page = await postForm(
      '/b24/install',
      {
        AUTH_ID: t.access_token,
        AUTH_EXPIRES: '3600',
        REFRESH_ID: t.refresh_token,
        SERVER_ENDPOINT: t.server_endpoint,
        APPLICATION_TOKEN: chosen,
        member_id: t.member_id,
        PLACEMENT: 'DEFAULT',
      },
      `?DOMAIN=${encodeURIComponent(p.domain)}&PROTOCOL=0&LANG=en`,
    );
    expect(page.status).toBe(403);
    const pageText = await page.text();
    expect(pageText).toContain('administrator');
    for (const secret of [t.access_token, t.refresh_token, chosen]) expect(pageText).not.toContain(secret);
    for (const event of ['ONAPPINSTALL', 'ONAPPUPDATE']) {
      const res = await postForm('/b24/events', {
        event,
        data: { VERSION: '1', LANGUAGE_ID: 'en' },
        ts: String(Math.floor(Date.now() / 1000) + 5),
        auth: installAuth(t, p.domain, event === 'ONAPPUPDATE' ? p.applicationToken : chosen),
      });
      expect(res.status, event).toBe(403);
      const body = await res.text();
      for (const secret of [t.access_token, t.refresh_token, p.applicationToken]) expect(body).not.toContain(secret);
    }
    const after = await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
    expect(after.applicationTokenHash).toBe(before.applicationTokenHash);
    expect(after.tokenVersion).toBe(before.tokenVersion);
    expect(after.accessTokenEnc).toBe(before.accessTokenEnc);
  });

  it('a replayed older ONAPPINSTALL does not replace newer tokens (issue 10 item 1)', async () => {
    const p = await stack.installedPortal();
    const old = await stack.emu.issueTokens(p.memberId, stack.clientId, p.adminUserId);
    const oldTs = Math.floor(Date.now() / 1000);
    const install = (t: IssuedTokens, ts: number) =>
      postForm('/b24/events', {
        event: 'ONAPPINSTALL',
        data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' },
        ts: String(ts),
        auth: installAuth(t, p.domain, p.applicationToken),
      });
    const fresh = await stack.emu.issueTokens(p.memberId, stack.clientId, p.adminUserId);
    expect((await install(fresh, oldTs + 10)).status).toBe(200);
    const stored = await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
    // The old delivery arrives again (a replay, or Bitrix24's queue running late): answered, changes nothing.
    expect((await install(old, oldTs)).status).toBe(200);
    const after = await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
    expect(after.tokenVersion).toBe(stored.tokenVersion);
    expect(after.accessTokenEnc).toBe(stored.accessTokenEnc);
    expect(stack.logs.text()).toContain('install ignored: stored tokens are newer');
  });

  for (const clean of [false, true]) {
    it(`an ONAPPUNINSTALL older than the latest install is ignored${clean ? ', with CLEAN=1 too' : ''} (issue 10 item 5)`, async () => {
      const p = await stack.installedPortal();
      const uninstallTs = Math.floor(Date.now() / 1000);
      // A quick reinstall: ONAPPINSTALL with a later ts.
      const t = await stack.emu.issueTokens(p.memberId, stack.clientId, p.adminUserId);
      const reinstall = await postForm('/b24/events', {
        event: 'ONAPPINSTALL',
        data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' },
        ts: String(uninstallTs + 5),
        auth: installAuth(t, p.domain),
      });
      expect(reinstall.status).toBe(200);
      const row = await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
      await stack.db.approval.create({
        data: {
          portalId: row.id,
          ownerTypeId: 2,
          ownerId: p.dealId,
          title: 'live',
          activityId: 888_000 + Number(clean),
        },
      });
      // The uninstall that came before it, delivered late.
      const late = await postForm('/b24/events', {
        event: 'ONAPPUNINSTALL',
        data: { LANGUAGE_ID: 'en', CLEAN: clean ? '1' : '0' },
        ts: String(uninstallTs),
        auth: {
          domain: p.domain,
          server_endpoint: t.server_endpoint,
          client_endpoint: t.client_endpoint,
          member_id: p.memberId,
          application_token: t.application_token,
        },
      });
      expect(late.status).toBe(200);
      const after = await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
      expect(after.status).toBe('ACTIVE');
      expect(after.accessTokenEnc).toBe(row.accessTokenEnc);
      expect(await stack.db.approval.count({ where: { portalId: row.id } })).toBe(1);
      expect(await stack.db.portalSettings.count({ where: { portalId: row.id } })).toBe(1);
    });
  }

  it("member_id stays pinned: one portal's tokens cannot install under another portal's domain", async () => {
    const a = await stack.installedPortal();
    const b = await stack.installedPortal();
    const t = await stack.emu.issueTokens(a.memberId, stack.clientId, a.adminUserId);
    const res = await postForm(
      '/b24/install',
      {
        AUTH_ID: t.access_token,
        AUTH_EXPIRES: '3600',
        REFRESH_ID: t.refresh_token,
        SERVER_ENDPOINT: t.server_endpoint,
        member_id: a.memberId,
        PLACEMENT: 'DEFAULT',
      },
      `?DOMAIN=${encodeURIComponent(b.domain)}&PROTOCOL=0`,
    );
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('does not match');
    const rowA = await stack.db.portal.findUniqueOrThrow({ where: { memberId: a.memberId } });
    expect(rowA.domain).toBe(a.domain.toLowerCase());
  });

  it('no issued token ever reaches a log line', async () => {
    // Every token the emulator issued during this file's tests, against everything our server logged.
    const state = stack.emulator.context.state;
    const secrets = [
      ...state.accessTokens.keys(),
      ...state.refreshTokens.keys(),
      ...[...state.installations.values()].map((i) => i.applicationToken),
      stack.clientSecret,
    ];
    expect(secrets.length).toBeGreaterThan(10);
    const text = stack.logs.text();
    expect(text).toContain('portal installed');
    for (const s of secrets) expect(text).not.toContain(s);
  });
});
