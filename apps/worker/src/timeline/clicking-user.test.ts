import { describe, expect, it } from 'vitest';
import { approverVerdict } from './action-handlers/approver-rule.js';
import { createClickingUserProver } from './clicking-user.js';

const portal = { memberId: 'm1', clientEndpoint: 'https://portal.example/rest/' };
const TOKEN = 'a'.repeat(70);

function fakeFetch(answer: (body: string) => { status: number; json: unknown }) {
  const seen: { url: string; body: string; redirect: string | undefined }[] = [];
  const f = (async (url: string, init: RequestInit) => {
    const body = String(init.body);
    seen.push({ url, body, redirect: init.redirect });
    const a = answer(body);
    return new Response(JSON.stringify(a.json), { status: a.status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { f, seen };
}

describe('clicking-user prover', () => {
  it("asks the portal's profile with the user's own token, no redirects, and caches by token until it expires", async () => {
    let t = 1_000_000;
    const { f, seen } = fakeFetch(() => ({ status: 200, json: { result: { ID: '8', ADMIN: false } } }));
    const prover = createClickingUserProver({ fetch: f, now: () => t });
    const auth = { accessToken: TOKEN, expiresAt: t + 60_000 };
    expect(await prover.prove(portal, auth)).toEqual({ userId: 8, isAdmin: false });
    expect(await prover.prove(portal, auth)).toEqual({ userId: 8, isAdmin: false });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual({
      url: 'https://portal.example/rest/profile.json',
      body: `auth=${TOKEN}`,
      redirect: 'error',
    });
    t += 60_000;
    expect(await prover.prove(portal, auth)).toBeNull(); // expired: not even asked
    expect(seen).toHaveLength(1);
  });

  it('a token Bitrix24 rejects proves nobody; other failures are typed errors without the token', async () => {
    const { f } = fakeFetch((body) =>
      body.includes('bad')
        ? { status: 401, json: { error: 'invalid_token', error_description: 'The access token provided is invalid' } }
        : { status: 503, json: { error: 'QUERY_LIMIT_EXCEEDED', error_description: `Too many requests ${TOKEN}` } },
    );
    const prover = createClickingUserProver({ fetch: f });
    const expiresAt = Date.now() + 60_000;
    expect(await prover.prove(portal, { accessToken: 'bad', expiresAt })).toBeNull();
    const err = await prover.prove(portal, { accessToken: TOKEN, expiresAt }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'RATE_LIMITED', method: 'profile' });
    expect(JSON.stringify(err) + String((err as Error).message)).not.toContain(TOKEN);
  });

  it('the cache is bounded', async () => {
    const { f, seen } = fakeFetch((body) => ({ status: 200, json: { result: { ID: body.slice(-1), ADMIN: true } } }));
    const prover = createClickingUserProver({ fetch: f, maxEntries: 1 });
    const expiresAt = Date.now() + 60_000;
    await prover.prove(portal, { accessToken: 'tok1', expiresAt });
    await prover.prove(portal, { accessToken: 'tok2', expiresAt });
    expect(await prover.prove(portal, { accessToken: 'tok1', expiresAt })).toEqual({ userId: 1, isAdmin: true });
    expect(seen).toHaveLength(3);
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
