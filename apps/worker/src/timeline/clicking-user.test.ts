import { describe, expect, it } from 'vitest';
import { adminDecides, approverVerdict } from './action-handlers/approver-rule.js';
import { createClickingUserProver } from './clicking-user.js';

const portal = {
  memberId: 'm1',
  clientEndpoint: 'https://portal.example/rest/',
  serverEndpoint: 'https://oauth.example/rest/',
};
const CLIENT_ID = 'app.1';
const TOKEN = 'a'.repeat(70);

type Answer = { status: number; json: unknown };
/** The OAuth server's app.info and the portal's profile, answered per token (the last characters of the body). */
function fakeBitrix24(answers: { appInfo: (body: string) => Answer; profile?: (body: string) => Answer }) {
  const seen: { url: string; body: string; redirect: string | undefined }[] = [];
  const f = (async (url: string, init: RequestInit) => {
    const body = String(init.body);
    seen.push({ url, body, redirect: init.redirect });
    const a = url.endsWith('app.info')
      ? answers.appInfo(body)
      : (answers.profile ?? (() => ({ status: 500, json: {} })))(body);
    return new Response(JSON.stringify(a.json), { status: a.status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { f, seen };
}

const appInfo = (userId: number | string, over: { clientId?: string; memberId?: string } = {}): Answer => ({
  status: 200,
  json: {
    result: { client_id: over.clientId ?? CLIENT_ID, user_id: userId, install: { member_id: over.memberId ?? 'm1' } },
  },
});

describe('clicking-user prover', () => {
  it("asks the OAuth server's app.info with the user's own token (no portal call, no redirects) and caches by token until it expires", async () => {
    let t = 1_000_000;
    const { f, seen } = fakeBitrix24({ appInfo: () => appInfo(8) });
    const prover = createClickingUserProver({ clientId: CLIENT_ID, fetch: f, now: () => t });
    const auth = { accessToken: TOKEN, expiresAt: t + 60_000 };
    expect(await prover.prove(portal, auth)).toEqual({ userId: 8, isAdmin: false });
    expect(await prover.prove(portal, auth)).toEqual({ userId: 8, isAdmin: false });
    expect(seen).toEqual([{ url: 'https://oauth.example/rest/app.info', body: `auth=${TOKEN}`, redirect: 'error' }]);
    t += 60_000;
    expect(await prover.prove(portal, auth)).toBeNull(); // expired: not even asked
    expect(seen).toHaveLength(1);
  });

  it("asks the portal's profile for the admin flag only when it decides the outcome, once per token", async () => {
    const { f, seen } = fakeBitrix24({
      appInfo: () => appInfo(8),
      profile: () => ({ status: 200, json: { result: { ID: '8', ADMIN: true } } }),
    });
    const prover = createClickingUserProver({ clientId: CLIENT_ID, fetch: f });
    const auth = { accessToken: TOKEN, expiresAt: Date.now() + 60_000 };
    expect(await prover.prove(portal, auth, { adminMatters: () => false })).toEqual({ userId: 8, isAdmin: false });
    expect(seen.map((c) => c.url)).toEqual(['https://oauth.example/rest/app.info']);
    expect(await prover.prove(portal, auth, { adminMatters: () => true })).toEqual({ userId: 8, isAdmin: true });
    expect(await prover.prove(portal, auth, { adminMatters: () => true })).toEqual({ userId: 8, isAdmin: true });
    expect(seen.map((c) => c.url)).toEqual([
      'https://oauth.example/rest/app.info',
      'https://portal.example/rest/profile.json',
    ]);
  });

  it("another app's token, another portal's, or a profile of someone else proves nobody", async () => {
    const expiresAt = Date.now() + 60_000;
    const other = createClickingUserProver({
      clientId: CLIENT_ID,
      fetch: fakeBitrix24({
        appInfo: (b) => (b.endsWith('1') ? appInfo(8, { clientId: 'app.other' }) : appInfo(8, { memberId: 'm2' })),
      }).f,
    });
    expect(await other.prove(portal, { accessToken: 'tok1', expiresAt })).toBeNull();
    expect(await other.prove(portal, { accessToken: 'tok2', expiresAt })).toBeNull();
    const mismatch = createClickingUserProver({
      clientId: CLIENT_ID,
      fetch: fakeBitrix24({
        appInfo: () => appInfo(8),
        profile: () => ({ status: 200, json: { result: { ID: '9', ADMIN: true } } }),
      }).f,
    });
    expect(await mismatch.prove(portal, { accessToken: TOKEN, expiresAt }, { adminMatters: () => true })).toBeNull();
  });

  it('a token Bitrix24 rejects proves nobody; other failures are typed errors without the token', async () => {
    const { f } = fakeBitrix24({
      appInfo: (body) =>
        body.includes('bad')
          ? { status: 401, json: { error: 'invalid_token', error_description: 'The access token provided is invalid' } }
          : { status: 503, json: { error: 'INTERNAL_SERVER_ERROR', error_description: `down ${TOKEN}` } },
    });
    const prover = createClickingUserProver({ clientId: CLIENT_ID, fetch: f });
    const expiresAt = Date.now() + 60_000;
    expect(await prover.prove(portal, { accessToken: 'bad', expiresAt })).toBeNull();
    const err = await prover.prove(portal, { accessToken: TOKEN, expiresAt }).catch((e: unknown) => e);
    expect(err).toMatchObject({ method: 'app.info' });
    expect(JSON.stringify(err) + String((err as Error).message)).not.toContain(TOKEN);
  });

  it('the cache is bounded', async () => {
    const { f, seen } = fakeBitrix24({ appInfo: (body) => appInfo(body.slice(-1)) });
    const prover = createClickingUserProver({ clientId: CLIENT_ID, fetch: f, maxEntries: 1 });
    const expiresAt = Date.now() + 60_000;
    await prover.prove(portal, { accessToken: 'tok1', expiresAt });
    await prover.prove(portal, { accessToken: 'tok2', expiresAt });
    expect(await prover.prove(portal, { accessToken: 'tok1', expiresAt })).toEqual({ userId: 1, isAdmin: false });
    expect(seen).toHaveLength(3);
  });
});

describe('admin flag matters', () => {
  it.each([
    ['no responsible user', null, 8, false],
    ['the responsible user clicked', 5, 5, false],
    ['someone else clicked', 5, 8, true],
  ] as const)('%s', (_n, responsibleId, userId, matters) => {
    expect(adminDecides({ responsibleId }, userId)).toBe(matters);
  });
});

describe('approver rule', () => {
  it.each([
    ['no responsible user: any proven user', null, { userId: 8, isAdmin: false }, 'may_decide'],
    ['the responsible user', 5, { userId: 5, isAdmin: false }, 'may_decide'],
    ['a portal admin', 5, { userId: 1, isAdmin: true }, 'may_decide'],
    ['someone else', 5, { userId: 8, isAdmin: false }, 'not_approver'],
    ['nobody proven', 5, null, 'unproven'],
    ['nobody proven, no responsible user', null, null, 'unproven'],
  ] as const)('%s', (_n, responsibleId, proof, verdict) => {
    expect(approverVerdict({ responsibleId }, proof)).toBe(verdict);
  });
});
