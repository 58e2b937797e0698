import { describe, expect, it } from 'vitest';
import { rest, useEmulator } from './helpers.js';

const env = useEmulator({ portal: true });

async function token(params: Record<string, string>, method: 'GET' | 'POST' = 'POST') {
  const url = `${env.emu.url}/oauth/token/`;
  const res =
    method === 'GET'
      ? await fetch(`${url}?${new URLSearchParams(params)}`)
      : await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(params).toString(),
        });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('/oauth/token/ refresh_token grant', () => {
  it('answers the documented fields in the captured order, over GET and form POST', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const fresh = await env.emu.client.issueTokens(env.p.memberId, env.p.clientId);
      const r = await token(
        {
          grant_type: 'refresh_token',
          client_id: env.p.clientId,
          client_secret: env.p.clientSecret,
          refresh_token: fresh.refresh_token,
        },
        method,
      );
      expect(r.status).toBe(200);
      expect(Object.keys(r.body)).toEqual([
        'access_token',
        'expires',
        'expires_in',
        'scope',
        'domain',
        'server_endpoint',
        'status',
        'client_endpoint',
        'member_id',
        'user_id',
        'refresh_token',
      ]);
      expect(r.body).toMatchObject({
        expires_in: 3600,
        scope: 'crm,placement,user_brief',
        domain: new URL(env.emu.url).host,
        server_endpoint: env.emu.oauthServerEndpoint,
        status: 'L',
        client_endpoint: env.p.clientEndpoint,
        member_id: env.p.memberId,
        user_id: 1,
      });
      expect(r.body.expires).toBeGreaterThan(Date.now() / 1000 + 3500);
      expect(r.body.refresh_token).not.toBe(fresh.refresh_token);
    }
  });

  it('rotates: the new refresh token works once, the spent one is refused with invalid_grant', async () => {
    const first = await token({
      grant_type: 'refresh_token',
      client_id: env.p.clientId,
      client_secret: env.p.clientSecret,
      refresh_token: env.p.refreshToken,
    });
    expect(first.status).toBe(200);
    const again = await token({
      grant_type: 'refresh_token',
      client_id: env.p.clientId,
      client_secret: env.p.clientSecret,
      refresh_token: env.p.refreshToken,
    });
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const next = await token({
      grant_type: 'refresh_token',
      client_id: env.p.clientId,
      client_secret: env.p.clientSecret,
      refresh_token: String(first.body.refresh_token),
    });
    expect(next.status).toBe(200);
    // the rotated access token works at the portal
    const call = await rest(env.p.clientEndpoint, 'profile', {}, String(next.body.access_token));
    expect(call.status).toBe(200);
    expect(await env.emu.client.oauthStats()).toMatchObject({ refreshGrants: 2, invalidGrant: 1 });
  });

  it('refuses an expired refresh token with 400 invalid_grant, as a spent one (lifetime from settings)', async () => {
    await env.emu.client.setSettings({ refreshTokenTtlSec: 60 });
    const short = await env.emu.client.issueTokens(env.p.memberId, env.p.clientId);
    const refresh = (refreshToken: string) =>
      token({
        grant_type: 'refresh_token',
        client_id: env.p.clientId,
        client_secret: env.p.clientSecret,
        refresh_token: refreshToken,
      });
    await env.emu.client.advanceClock(59_000);
    const inTime = await refresh(short.refresh_token);
    expect(inTime.status).toBe(200);
    // The rotated one lives 60 s from its own issue; past that it is refused.
    await env.emu.client.advanceClock(61_000);
    const late = await refresh(String(inTime.body.refresh_token));
    expect(late).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(String(late.body.error_description)).toContain('expired');
    // The default is the 30 days captured tokens encode.
    await env.emu.client.setSettings({ refreshTokenTtlSec: 30 * 24 * 3600 });
    const month = await env.emu.client.issueTokens(env.p.memberId, env.p.clientId);
    await env.emu.client.advanceClock((30 * 24 * 3600 - 60) * 1000);
    expect((await refresh(month.refresh_token)).status).toBe(200);
  });

  it('refuses a wrong secret with 401 invalid_client and unknown grants with invalid_request', async () => {
    const wrong = await token({
      grant_type: 'refresh_token',
      client_id: env.p.clientId,
      client_secret: 'nope',
      refresh_token: env.p.refreshToken,
    });
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const bad = await token({ grant_type: 'password', client_id: env.p.clientId, client_secret: env.p.clientSecret });
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    // the failed attempts did not spend the refresh token
    const ok = await token({
      grant_type: 'refresh_token',
      client_id: env.p.clientId,
      client_secret: env.p.clientSecret,
      refresh_token: env.p.refreshToken,
    });
    expect(ok.status).toBe(200);
  });

  it('can invalidate the access token issued with the spent refresh token (switch)', async () => {
    await env.emu.client.setSettings({ invalidateAccessTokenOnRefresh: true });
    const r = await token({
      grant_type: 'refresh_token',
      client_id: env.p.clientId,
      client_secret: env.p.clientSecret,
      refresh_token: env.p.refreshToken,
    });
    expect(r.status).toBe(200);
    const old = await rest(env.p.clientEndpoint, 'profile', {}, env.p.token);
    expect(old).toMatchObject({ status: 401, body: { error: 'NO_AUTH_FOUND' } });
  });

  it('keeps secrets out of the call log', async () => {
    await token({
      grant_type: 'refresh_token',
      client_id: env.p.clientId,
      client_secret: env.p.clientSecret,
      refresh_token: env.p.refreshToken,
    });
    const [entry] = await env.emu.client.calls({ method: 'oauth.token' });
    expect(entry).toMatchObject({ kind: 'oauth', status: 200, memberId: env.p.memberId });
    expect(JSON.stringify(entry)).not.toContain(env.p.clientSecret);
    expect(JSON.stringify(entry)).not.toContain(env.p.refreshToken);
  });
});

describe('authorization_code grant', () => {
  it('redirects from the portal authorize page with a single-use code', async () => {
    const res = await fetch(`http://${env.p.domain}/oauth/authorize/?client_id=${env.p.clientId}&state=xyz`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    const location = new URL(String(res.headers.get('location')));
    expect(location.searchParams.get('state')).toBe('xyz');
    expect(location.searchParams.get('member_id')).toBe(env.p.memberId);
    expect(location.searchParams.get('domain')).toBe(env.p.domain);
    const code = String(location.searchParams.get('code'));
    const params = {
      grant_type: 'authorization_code',
      client_id: env.p.clientId,
      client_secret: env.p.clientSecret,
      code,
    };
    const first = await token(params, 'GET');
    expect(first.status).toBe(200);
    expect(first.body.member_id).toBe(env.p.memberId);
    expect(await token(params, 'GET')).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });
});

describe('app.info on the OAuth host', () => {
  it('describes the token, the app and its installation', async () => {
    const res = await fetch(`${env.emu.oauthServerEndpoint}app.info?auth=${env.p.token}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: Record<string, unknown> };
    expect(body.result).toMatchObject({
      client_id: env.p.clientId,
      scope: 'crm,placement,user_brief',
      user_id: 1,
      install: {
        installed: true,
        member_id: env.p.memberId,
        domain: env.p.domain,
        client_endpoint: env.p.clientEndpoint,
        status: 'L',
      },
    });
  });

  it('answers 401 expired_token for an expired token and NO_AUTH_FOUND for an unknown one', async () => {
    await env.emu.client.expireTokens(env.p.memberId);
    const expired = await fetch(`${env.emu.oauthServerEndpoint}app.info/?auth=${env.p.token}`);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ error: 'expired_token' });
    const unknown = await fetch(`${env.emu.oauthServerEndpoint}app.info.json?auth=deadbeef`);
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({ error: 'NO_AUTH_FOUND' });
  });
});
