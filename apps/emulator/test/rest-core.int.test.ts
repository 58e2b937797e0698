import { describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';
import { portalWithApp, rest, useEmulator } from './helpers.js';

const env = useEmulator({ portal: true });

describe('envelope and auth', () => {
  it('wraps results with the time block (operating, operating_reset_at) and JSON content type', async () => {
    const r = await rest(env.p.clientEndpoint, 'user.current', {}, env.p.token);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('x-bitrix-rest-application')).toBe(env.p.clientId);
    expect(r.body.result).toMatchObject({ ID: '1', NAME: 'Admin', LAST_NAME: 'Adminov', ACTIVE: true });
    const time = r.body.time as Record<string, unknown>;
    expect(Object.keys(time)).toEqual([
      'start',
      'finish',
      'duration',
      'processing',
      'date_start',
      'date_finish',
      'operating_reset_at',
      'operating',
    ]);
    expect(time.operating_reset_at).toBeGreaterThan(Date.now() / 1000 + 590);
    expect(time.date_start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
  });

  it('accepts the token as auth, access_token, Bearer header, query string and form body; .json suffix and any case', async () => {
    const base = env.p.clientEndpoint;
    const viaQuery = await fetch(`${base}PROFILE.json?access_token=${env.p.token}`);
    expect(viaQuery.status).toBe(200);
    const viaBearer = await fetch(`${base}profile`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.p.token}` },
    });
    expect(viaBearer.status).toBe(200);
    const viaForm = await fetch(`${base}user.get`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `auth=${env.p.token}&FILTER%5BID%5D=1`,
    });
    expect(viaForm.status).toBe(200);
    expect(((await viaForm.json()) as { result: unknown[] }).result).toHaveLength(1);
    // SDKs that keep client_endpoint's trailing slash send /rest//method
    const doubleSlash = await fetch(`${base}/profile?auth=${env.p.token}`);
    expect(doubleSlash.status).toBe(200);
  });

  it('answers 401 NO_AUTH_FOUND without or with an unknown token (invalid_token behind a switch)', async () => {
    expect(await rest(env.p.clientEndpoint, 'profile', {})).toMatchObject({
      status: 401,
      body: { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' },
    });
    expect((await rest(env.p.clientEndpoint, 'profile', {}, 'nope')).body.error).toBe('NO_AUTH_FOUND');
    await env.emu.client.setSettings({ unknownTokenError: 'invalid_token' });
    expect(await rest(env.p.clientEndpoint, 'profile', {}, 'nope')).toMatchObject({
      status: 401,
      body: { error: 'invalid_token' },
    });
  });

  it('answers 401 expired_token after expiry and NO_AUTH_FOUND after revocation', async () => {
    await env.emu.client.expireTokens(env.p.memberId, env.p.clientId);
    expect(await rest(env.p.clientEndpoint, 'profile', {}, env.p.token)).toMatchObject({
      status: 401,
      body: { error: 'expired_token', error_description: 'The access token provided has expired' },
    });
    const fresh = await env.emu.client.issueTokens(env.p.memberId, env.p.clientId);
    await env.emu.client.revokeTokens(env.p.memberId);
    expect((await rest(env.p.clientEndpoint, 'profile', {}, fresh.access_token)).status).toBe(401);
  });

  it('expires tokens after the configured TTL', async () => {
    const short = await startEmulator({ port: 0, logger: false, accessTokenTtlSec: 2 });
    try {
      const sp = await portalWithApp(short, env.receiver);
      expect((await rest(sp.clientEndpoint, 'profile', {}, sp.token)).status).toBe(200);
      await short.client.advanceClock(1_000);
      expect((await rest(sp.clientEndpoint, 'profile', {}, sp.token)).status).toBe(200);
      await short.client.advanceClock(1_000);
      expect((await rest(sp.clientEndpoint, 'profile', {}, sp.token)).body.error).toBe('expired_token');
    } finally {
      await short.close();
    }
  });

  it('does not accept a token of another portal', async () => {
    const other = await portalWithApp(env.emu, env.receiver);
    expect((await rest(env.p.clientEndpoint, 'profile', {}, other.token)).status).toBe(401);
  });

  it('answers 404 ERROR_METHOD_NOT_FOUND for unknown methods', async () => {
    expect(await rest(env.p.clientEndpoint, 'crm.nothing.here', {}, env.p.token)).toMatchObject({
      status: 404,
      body: { error: 'ERROR_METHOD_NOT_FOUND' },
    });
  });

  it('answers 403 insufficient_scope when the app lacks the scope', async () => {
    const narrow = await portalWithApp(env.emu, env.receiver, { scope: 'placement' });
    expect(await rest(narrow.clientEndpoint, 'user.current', {}, narrow.token)).toMatchObject({
      status: 403,
      body: { error: 'insufficient_scope' },
    });
  });
});

describe('user methods and app.info', () => {
  it('user.get filters and paginates, user.admin and profile reflect the user', async () => {
    const maria = await env.emu.client.createUser(env.p.memberId, { name: 'Maria Manager' });
    const all = await rest(env.p.clientEndpoint, 'user.get', {}, env.p.token);
    expect(all.body).toMatchObject({ total: 2 });
    expect((all.body.result as { ID: string }[]).map((u) => u.ID)).toEqual(['1', String(maria.id)]);
    const one = await rest(env.p.clientEndpoint, 'user.get', { ID: maria.id }, env.p.token);
    expect(one.body.result).toEqual([expect.objectContaining({ NAME: 'Maria', LAST_NAME: 'Manager' })]);

    const mariaTokens = await env.emu.client.issueTokens(env.p.memberId, env.p.clientId, maria.id);
    expect((await rest(env.p.clientEndpoint, 'user.admin', {}, mariaTokens.access_token)).body.result).toBe(false);
    expect((await rest(env.p.clientEndpoint, 'user.admin', {}, env.p.token)).body.result).toBe(true);
    expect((await rest(env.p.clientEndpoint, 'profile', {}, mariaTokens.access_token)).body.result).toMatchObject({
      ID: String(maria.id),
      ADMIN: false,
    });
  });

  it('user.get pages by 50 with next/total', async () => {
    for (let i = 0; i < 55; i++) await env.emu.client.createUser(env.p.memberId, { name: `User ${i}` });
    const first = await rest(env.p.clientEndpoint, 'user.get', {}, env.p.token);
    expect(first.body).toMatchObject({ next: 50, total: 56 });
    expect(first.body.result).toHaveLength(50);
    const second = await rest(env.p.clientEndpoint, 'user.get', { start: 50 }, env.p.token);
    expect(second.body.result).toHaveLength(6);
    expect(second.body.next).toBeUndefined();
  });

  it('app.info shows the app card; webhooks get ACCESS_DENIED', async () => {
    const r = await rest(env.p.clientEndpoint, 'app.info', {}, env.p.token);
    expect(r.body.result).toMatchObject({
      CODE: env.p.clientId,
      STATUS: 'L',
      INSTALLED: true,
      PAYMENT_EXPIRED: 'N',
      LICENSE_FAMILY: 'project',
    });
    const hook = await env.emu.client.createWebhook(env.p.memberId);
    const viaHook = await fetch(`${hook.url}app.info`);
    expect(viaHook.status).toBe(400);
    expect(await viaHook.json()).toMatchObject({
      error: 'ACCESS_DENIED',
      error_description: 'Access denied! Application context required',
    });
    expect((await fetch(`${hook.url}user.current`)).status).toBe(200);
    expect((await fetch(`http://${env.p.domain}/rest/1/wrongcode/user.current`)).status).toBe(401);
  });
});

describe('batch', () => {
  it('runs commands with $result references, keeps types of whole references, reports errors per command', async () => {
    const r = await rest(
      env.p.clientEndpoint,
      'batch',
      {
        halt: 0,
        cmd: {
          me: 'user.current',
          same: 'user.get?ID=$result[me][ID]',
          wrong: 'no.such.method',
          list: 'user.get?FILTER[ID]=$result[me][ID]',
        },
      },
      env.p.token,
    );
    expect(r.status).toBe(200);
    const res = r.body.result as Record<string, Record<string, unknown>>;
    expect(res.result?.me).toMatchObject({ ID: '1' });
    expect(res.result?.same).toEqual([expect.objectContaining({ ID: '1' })]);
    expect(res.result?.list).toHaveLength(1);
    expect(res.result_error).toEqual({
      wrong: { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' },
    });
    expect(res.result_total).toEqual({ same: 1, list: 1 });
    expect(res.result_next).toEqual([]);
    expect(Object.keys(res.result_time ?? {})).toEqual(['me', 'same', 'wrong', 'list']);
  });

  it('stops at the first error with halt and refuses nested batch', async () => {
    const r = await rest(
      env.p.clientEndpoint,
      'batch',
      { halt: 1, cmd: ['user.current', 'batch?cmd[a]=user.current', 'profile'] },
      env.p.token,
    );
    const res = r.body.result as Record<string, unknown>;
    expect(res.result).toEqual([expect.objectContaining({ ID: '1' })]);
    expect(res.result_error).toEqual({
      1: { error: 'ERROR_BATCH_METHOD_NOT_ALLOWED', error_description: 'Method is not allowed for batch usage' },
    });
  });

  it('runs at most 50 commands; the rest get ERROR_BATCH_LENGTH_EXCEEDED', async () => {
    const cmd = Object.fromEntries(Array.from({ length: 52 }, (_, i) => [`c${i}`, 'user.admin']));
    const r = await rest(env.p.clientEndpoint, 'batch', { cmd }, env.p.token);
    const res = r.body.result as Record<string, Record<string, unknown>>;
    expect(Object.keys(res.result ?? {})).toHaveLength(50);
    expect(Object.keys(res.result_error ?? {})).toEqual(['c50', 'c51']);
    expect(res.result_error?.c50).toMatchObject({ error: 'ERROR_BATCH_LENGTH_EXCEEDED' });
  });

  it('logs sub-calls with the batch as parent and counts as one request for the limiter', async () => {
    await env.emu.client.setLimits(env.p.memberId, { burst: 2, drainPerSec: 0.001 });
    const r = await rest(
      env.p.clientEndpoint,
      'batch',
      { cmd: { a: 'user.admin', b: 'profile', c: 'user.current' } },
      env.p.token,
    );
    expect(r.status).toBe(200);
    expect((await rest(env.p.clientEndpoint, 'profile', {}, env.p.token)).status).toBe(200);
    expect((await rest(env.p.clientEndpoint, 'profile', {}, env.p.token)).status).toBe(503);
    const calls = await env.emu.client.calls({ memberId: env.p.memberId });
    const batch = calls.find((c) => c.method === 'batch');
    expect(calls.filter((c) => c.parentSeq === batch?.seq).map((c) => c.method)).toEqual([
      'user.admin',
      'profile',
      'user.current',
    ]);
  });
});

describe('limits', () => {
  it('answers 503 QUERY_LIMIT_EXCEEDED once the burst is spent, then drains', async () => {
    await env.emu.client.setLimits(env.p.memberId, { burst: 5, drainPerSec: 0.2 });
    const statuses = await Promise.all(
      Array.from({ length: 8 }, () => rest(env.p.clientEndpoint, 'profile', {}, env.p.token)),
    );
    expect(statuses.filter((s) => s.status === 200)).toHaveLength(5);
    const rejected = statuses.find((s) => s.status === 503);
    expect(rejected?.body).toEqual({ error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
    await env.emu.client.setLimits(env.p.memberId, { burst: 1, drainPerSec: 2 });
    expect((await rest(env.p.clientEndpoint, 'profile', {}, env.p.token)).status).toBe(200);
    expect((await rest(env.p.clientEndpoint, 'profile', {}, env.p.token)).status).toBe(503);
    await env.emu.client.advanceClock(600); // 2 per s: more than one request drained
    expect((await rest(env.p.clientEndpoint, 'profile', {}, env.p.token)).status).toBe(200);
  });

  it('defaults to 50/2 for standard and 250/5 for enterprise portals', async () => {
    expect((await env.emu.client.portal(env.p.memberId)).plan).toBe('standard');
    const burst = async (endpoint: string, token: string, n: number) => {
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: n }, () => rest(endpoint, 'user.admin', {}, token)));
      return { ok: results.filter((r) => r.status === 200).length, elapsedSec: (Date.now() - started) / 1000 };
    };
    const std = await burst(env.p.clientEndpoint, env.p.token, 60);
    expect(std.ok).toBeGreaterThanOrEqual(50);
    expect(std.ok).toBeLessThanOrEqual(50 + Math.ceil(std.elapsedSec * 2) + 1);
    const ent = await portalWithApp(env.emu, env.receiver, { plan: 'enterprise' });
    const e = await burst(ent.clientEndpoint, ent.token, 270);
    expect(e.ok).toBeGreaterThanOrEqual(250);
    expect(e.ok).toBeLessThanOrEqual(250 + Math.ceil(e.elapsedSec * 5) + 1);
  });

  it('answers 429 OPERATION_TIME_LIMIT for one method of one app once its operating budget is spent', async () => {
    await env.emu.client.setLimits(env.p.memberId, { operatingBudgetSec: 10, operatingCostSec: 4 });
    const operating: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await rest(env.p.clientEndpoint, 'user.current', {}, env.p.token);
      expect(r.status).toBe(200);
      operating.push((r.body.time as { operating: number }).operating);
    }
    expect(operating).toEqual([4, 8, 12]);
    expect(await rest(env.p.clientEndpoint, 'user.current', {}, env.p.token)).toMatchObject({
      status: 429,
      body: { error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked due to operation time limit' },
    });
    // another method of the same app is unaffected
    expect((await rest(env.p.clientEndpoint, 'profile', {}, env.p.token)).status).toBe(200);
  });
});

describe('failure injection', () => {
  it('fails the next N calls of a method with 503, 500 or a dropped connection, then recovers', async () => {
    await env.emu.client.injectFailures({ method: 'profile', count: 1, kind: '500' });
    await env.emu.client.injectFailures({ method: 'profile', count: 1, kind: '503' });
    expect(await rest(env.p.clientEndpoint, 'profile', {}, env.p.token)).toMatchObject({
      status: 500,
      body: { error: 'INTERNAL_SERVER_ERROR' },
    });
    expect(await rest(env.p.clientEndpoint, 'profile', {}, env.p.token)).toMatchObject({
      status: 503,
      body: { error: 'QUERY_LIMIT_EXCEEDED' },
    });
    expect((await rest(env.p.clientEndpoint, 'user.current', {}, env.p.token)).status).toBe(200);
    await env.emu.client.injectFailures({ memberId: env.p.memberId, method: 'profile', count: 1, kind: 'network' });
    await expect(rest(env.p.clientEndpoint, 'profile', {}, env.p.token)).rejects.toThrow();
    expect((await rest(env.p.clientEndpoint, 'profile', {}, env.p.token)).status).toBe(200);
  });

  it('holds the request open on timeout', async () => {
    await env.emu.client.injectFailures({ method: 'profile', count: 1, kind: 'timeout' });
    const started = Date.now();
    await expect(
      fetch(`${env.p.clientEndpoint}profile?auth=${env.p.token}`, { signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('can lose the answer after the method ran (phase after)', async () => {
    await env.emu.client.injectFailures({ method: 'user.current', count: 1, kind: '500', phase: 'after' });
    expect((await rest(env.p.clientEndpoint, 'user.current', {}, env.p.token)).status).toBe(500);
    const [entry] = await env.emu.client.calls({ method: 'user.current' });
    expect(entry).toMatchObject({ status: 500, error: 'INTERNAL_SERVER_ERROR', clientId: env.p.clientId, userId: 1 });
  });

  it('injects failures on the OAuth token endpoint', async () => {
    await env.emu.client.injectFailures({ method: 'oauth.token', count: 1, kind: '503' });
    const res = await fetch(`${env.emu.url}/oauth/token/?grant_type=refresh_token`);
    expect(res.status).toBe(503);
  });
});

describe('call log', () => {
  it('records method, host, status and error, never the token', async () => {
    await rest(env.p.clientEndpoint, 'user.current', { x: 1 }, env.p.token);
    await rest(env.p.clientEndpoint, 'nope', {}, env.p.token);
    const calls = await env.emu.client.calls({ memberId: env.p.memberId, host: env.p.domain });
    expect(calls.map((c) => [c.method, c.status, c.error])).toEqual([
      ['user.current', 200, null],
      ['nope', 404, 'ERROR_METHOD_NOT_FOUND'],
    ]);
    expect(calls[0]?.params).toEqual({ x: 1 });
    expect(JSON.stringify(calls)).not.toContain(env.p.token);
  });
});

describe('clock', () => {
  it('reads time from the clock it is given, moved forward by the control API and reset with the rest', async () => {
    const fixed = Date.UTC(2030, 0, 2, 3, 4, 5);
    const emu = await startEmulator({ port: 0, logger: false, clock: { now: () => fixed } });
    try {
      const p = await portalWithApp(emu, env.receiver);
      const r = await rest(p.clientEndpoint, 'user.current', {}, p.token);
      expect(r.body).toMatchObject({ time: { start: fixed / 1000, date_start: '2030-01-02T03:04:05+00:00' } });
      expect(await emu.client.advanceClock(90_000)).toEqual({ now: fixed + 90_000, offsetMs: 90_000 });
      const later = await rest(p.clientEndpoint, 'user.current', {}, p.token);
      expect((later.body.time as { start: number }).start).toBe(fixed / 1000 + 90);
      await expect(emu.client.advanceClock(-1)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await emu.client.reset();
      expect(await emu.client.clock()).toEqual({ now: fixed, offsetMs: 0 });
    } finally {
      await emu.close();
    }
  });
});
