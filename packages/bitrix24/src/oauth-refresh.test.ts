import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bitrix24Error } from './bitrix24-errors.js';
import { oauthTokenUrl, refreshWithOAuthServer } from './oauth-refresh.js';

describe('oauthTokenUrl', () => {
  it.each([
    ['https://oauth.bitrix.info/rest/', 'https://oauth.bitrix.info/oauth/token/'],
    ['https://oauth.bitrix.info/rest', 'https://oauth.bitrix.info/oauth/token/'],
    ['http://127.0.0.1:4000/rest/', 'http://127.0.0.1:4000/oauth/token/'],
  ])('%s → %s', (endpoint, url) => expect(oauthTokenUrl(endpoint)).toBe(url));
});

// A local stand-in for the OAuth server: answers per test, records what it got.
let server: Server;
let base: string;
let handler: (req: IncomingMessage, body: string, res: ServerResponse) => void = () => undefined;
const received: { path: string; body: string; type: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', body, type: String(req.headers['content-type']) });
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rest/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const request = (over: Partial<Parameters<typeof refreshWithOAuthServer>[0]> = {}) => ({
  serverEndpoint: base,
  clientId: 'app.1',
  clientSecret: 'SECRET-VALUE',
  refreshToken: 'REFRESH-OLD-0123456789abcdef0123456789abcdef',
  memberId: 'm1',
  timeoutMs: 2000,
  ...over,
});

describe('refreshWithOAuthServer', () => {
  it('posts the refresh_token grant as a form to /oauth/token/ and returns the rotated pair', async () => {
    const expires = Math.floor(Date.now() / 1000) + 3600;
    handler = (_req, _body, res) =>
      json(res, 200, { access_token: 'A2', refresh_token: 'R2', expires, expires_in: 3600, member_id: 'm1' });
    received.length = 0;
    const tokens = await refreshWithOAuthServer(request());
    expect(tokens).toEqual({ accessToken: 'A2', refreshToken: 'R2', expiresAt: expires });
    expect(received[0]?.path).toBe('/oauth/token/');
    expect(received[0]?.type).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(received[0]?.body);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'refresh_token',
      client_id: 'app.1',
      client_secret: 'SECRET-VALUE',
      refresh_token: 'REFRESH-OLD-0123456789abcdef0123456789abcdef',
    });
  });

  it('computes the expiry from expires_in when expires is missing', async () => {
    handler = (_req, _body, res) => json(res, 200, { access_token: 'A', refresh_token: 'R', expires_in: 100 });
    const before = Math.floor(Date.now() / 1000);
    const tokens = await refreshWithOAuthServer(request());
    expect(tokens.expiresAt).toBeGreaterThanOrEqual(before + 100);
    expect(tokens.expiresAt).toBeLessThanOrEqual(before + 101);
  });

  it('maps invalid_grant to TOKEN_REVOKED without echoing the request', async () => {
    handler = (_req, _body, res) =>
      json(res, 400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
    const e = await refreshWithOAuthServer(request()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Bitrix24Error);
    expect(e).toMatchObject({ kind: 'TOKEN_REVOKED', b24Code: 'invalid_grant', status: 400 });
    const text = JSON.stringify(e) + String((e as Error).message);
    expect(text).not.toContain('REFRESH-OLD');
    expect(text).not.toContain('SECRET-VALUE');
  });

  it('maps invalid_client to ACCESS_DENIED and an error inside a 200 answer too', async () => {
    handler = (_req, _body, res) => json(res, 200, { error: 'invalid_client' });
    await expect(refreshWithOAuthServer(request())).rejects.toMatchObject({
      kind: 'ACCESS_DENIED',
      b24Code: 'invalid_client',
    });
  });

  it('maps a 5xx and a non-JSON answer to TRANSIENT', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(502);
      res.end('bad gateway');
    };
    await expect(refreshWithOAuthServer(request())).rejects.toMatchObject({ kind: 'TRANSIENT', status: 502 });
  });

  it('refuses an answer for another portal', async () => {
    handler = (_req, _body, res) =>
      json(res, 200, { access_token: 'A', refresh_token: 'R', expires_in: 3600, member_id: 'other' });
    await expect(refreshWithOAuthServer(request())).rejects.toMatchObject({ b24Code: 'MEMBER_ID_MISMATCH' });
  });

  it('gives up after its timeout when the OAuth server hangs (the SDK would wait forever)', async () => {
    handler = () => undefined; // never answers
    const started = Date.now();
    await expect(refreshWithOAuthServer(request({ timeoutMs: 300 }))).rejects.toMatchObject({
      kind: 'TRANSIENT',
      b24Code: 'REQUEST_TIMEOUT',
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
