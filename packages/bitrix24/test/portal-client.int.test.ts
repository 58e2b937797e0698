import { createDb } from '@b24app/db';
import { captureLogs, randomMemberId, TEST_DATABASE_URL, TEST_REDIS_URL } from '@b24app/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Bitrix24Error,
  createPortalClients,
  createPortalRateLimiter,
  createPrismaTokenStore,
  type PortalClientsDeps,
  type RateLimitPolicy,
} from '../src/index.js';
import { type Harness, installPortal, restCalls, startHarness } from './harness.js';

// The portal client against the emulator (portal + OAuth server), real PostgreSQL and Redis.

const db = createDb(TEST_DATABASE_URL, { poolSize: 4 });
const redis = new Redis(TEST_REDIS_URL);
const logs = captureLogs('debug');
let h: Harness;

// Everything this file's processes print also goes through the grep at the end.
const printed: string[] = [];
const originalWrite = {
  out: process.stdout.write.bind(process.stdout),
  err: process.stderr.write.bind(process.stderr),
};

beforeAll(async () => {
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    printed.push(String(chunk));
    return (originalWrite.out as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    printed.push(String(chunk));
    return (originalWrite.err as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  h = await startHarness();
});

afterAll(async () => {
  process.stdout.write = originalWrite.out;
  process.stderr.write = originalWrite.err;
  await h.close();
  await Promise.all([db.$disconnect(), redis.quit()]);
});

const generous: RateLimitPolicy = { burst: 1000, drainPerSec: 500 };

function clientsFor(over: Partial<PortalClientsDeps> & { policy?: RateLimitPolicy; operatingBudgetSec?: number } = {}) {
  const { policy, operatingBudgetSec, ...rest } = over;
  return createPortalClients({
    store: createPrismaTokenStore(db, h.cipher),
    limiter: createPortalRateLimiter(redis, {
      policy: policy ?? generous,
      keyPrefix: `test:client:${randomMemberId()}`,
      ...(operatingBudgetSec === undefined ? {} : { operatingBudgetSec }),
    }),
    clientId: h.clientId,
    clientSecret: h.clientSecret,
    logger: logs.logger,
    requestTimeoutMs: 1000,
    retry: { baseDelayMs: 20, maxDelayMs: 100 },
    ...rest,
  });
}

describe('portal client: calls and errors', () => {
  it('calls a method through the SDK with the stored token and returns its result', async () => {
    const p = await installPortal(h, db, { limits: generous });
    const clients = clientsFor();
    const client = await clients.get(p.memberId);
    const me = await client.call<{ ID: string }>('user.current');
    expect(me.ID).toBe('1');
    expect(await clients.get(p.memberId)).toBe(client); // one long-lived client per portal
    const calls = await restCalls(h, p.memberId, 'user.current');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ status: 200, authType: 'oauth' });
  });

  it('maps portal errors to typed errors', async () => {
    const p = await installPortal(h, db, { limits: generous });
    const client = await clientsFor().get(p.memberId);
    const notFound = await client.call('no.such.method').catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(Bitrix24Error);
    expect(notFound).toMatchObject({
      kind: 'NOT_FOUND',
      b24Code: 'ERROR_METHOD_NOT_FOUND',
      status: 404,
      method: 'no.such.method',
    });

    const invalid = await client
      .call('event.bind', { event: 'ONAPPUNINSTALL', handler: 'ftp://example.com/x' })
      .catch((e: unknown) => e);
    expect(invalid).toMatchObject({ kind: 'VALIDATION', method: 'event.bind' });
  });

  it('runs a batch as one request and types each command’s error', async () => {
    const p = await installPortal(h, db, { limits: generous });
    const client = await clientsFor().get(p.memberId);
    const out = await client.batch({ me: ['user.current'], info: ['app.info'], bad: ['no.such.method', { id: 1 }] });
    expect(out.results.me).toMatchObject({ ID: '1' });
    expect(out.results.info).toBeDefined();
    expect(out.errors.bad).toBeInstanceOf(Bitrix24Error);
    expect(out.errors.bad?.method).toBe('no.such.method');
    expect(await restCalls(h, p.memberId, 'batch')).toHaveLength(1);
    await expect(client.batch({})).rejects.toMatchObject({ kind: 'VALIDATION' });
  });

  it('an unknown portal gets TOKEN_REVOKED without any network call', async () => {
    await expect(clientsFor().get(randomMemberId())).rejects.toMatchObject({
      kind: 'TOKEN_REVOKED',
      b24Code: 'PORTAL_NOT_ACTIVE',
    });
  });
});

describe('portal client: retries only where safe', () => {
  it('retries an idempotent call after an injected 500, 503 and a dropped connection, and succeeds', async () => {
    const p = await installPortal(h, db, { limits: generous });
    const client = await clientsFor().get(p.memberId);
    for (const kind of ['500', '503', 'network'] as const) {
      await h.emu.client.injectFailures({ memberId: p.memberId, method: 'profile', count: 1, kind });
    }
    const profile = await client.call<{ ID: string }>('profile');
    expect(profile.ID).toBe('1');
    const calls = await restCalls(h, p.memberId, 'profile');
    expect(calls.map((c) => c.status)).toEqual([500, 503, 0, 200]);
  });

  it('gives up after maxAttempts with the last transient error', async () => {
    const p = await installPortal(h, db, { limits: generous });
    const client = await clientsFor().get(p.memberId);
    await h.emu.client.injectFailures({ memberId: p.memberId, method: 'profile', count: 5, kind: '500' });
    await expect(client.call('profile')).rejects.toMatchObject({ kind: 'TRANSIENT', maybeApplied: false });
    expect(await restCalls(h, p.memberId, 'profile')).toHaveLength(4);
  });

  it('retries an idempotent call after a timeout', async () => {
    const p = await installPortal(h, db, { limits: generous });
    const client = await clientsFor({ requestTimeoutMs: 300 }).get(p.memberId);
    await h.emu.client.injectFailures({ memberId: p.memberId, method: 'user.current', count: 1, kind: 'timeout' });
    expect(await client.call<{ ID: string }>('user.current')).toMatchObject({ ID: '1' });
    expect((await restCalls(h, p.memberId, 'user.current')).map((c) => c.error)).toEqual(['INJECTED_TIMEOUT', null]);
  });

  it('never retries crm.activity.configurable.add after a 500 or a timeout, and says the outcome is unknown', async () => {
    const p = await installPortal(h, db, { limits: generous });
    const client = await clientsFor({ requestTimeoutMs: 300 }).get(p.memberId);
    const method = 'crm.activity.configurable.add';
    const params = { ownerTypeId: 2, ownerId: 1, fields: {}, layout: {} };

    await h.emu.client.injectFailures({ memberId: p.memberId, method, count: 1, kind: '500' });
    const e500 = await client.call(method, params).catch((e: unknown) => e);
    expect(e500).toMatchObject({ kind: 'TRANSIENT', b24Code: 'INTERNAL_SERVER_ERROR', maybeApplied: true });
    expect(await restCalls(h, p.memberId, method)).toHaveLength(1);

    await h.emu.client.injectFailures({ memberId: p.memberId, method, count: 1, kind: 'timeout' });
    const eTimeout = await client.call(method, params).catch((e: unknown) => e);
    expect(eTimeout).toMatchObject({ kind: 'TRANSIENT', b24Code: 'REQUEST_TIMEOUT', maybeApplied: true });
    expect(await restCalls(h, p.memberId, method)).toHaveLength(2);
  });

  it('does retry an *.add the portal refused before running it (QUERY_LIMIT_EXCEEDED)', async () => {
    const p = await installPortal(h, db, { limits: generous });
    const client = await clientsFor({ policy: { burst: 1000, drainPerSec: 50 } }).get(p.memberId);
    await h.emu.client.injectFailures({
      memberId: p.memberId,
      method: 'crm.activity.badge.add',
      count: 1,
      kind: '503',
    });
    await client
      .call('crm.activity.badge.add', { code: 'x', title: 't', value: 'v', type: 'success' })
      .catch(() => undefined);
    const calls = await restCalls(h, p.memberId, 'crm.activity.badge.add');
    expect(calls.map((c) => c.error)[0]).toBe('QUERY_LIMIT_EXCEEDED');
    expect(calls).toHaveLength(2);
  });

  it('a portal that keeps answering QUERY_LIMIT_EXCEEDED ends in RATE_LIMITED with a retry delay', async () => {
    const p = await installPortal(h, db, { limits: generous });
    const client = await clientsFor().get(p.memberId);
    await h.emu.client.injectFailures({ memberId: p.memberId, method: 'profile', count: 4, kind: '503' });
    const e = await client.call('profile').catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'RATE_LIMITED', b24Code: 'QUERY_LIMIT_EXCEEDED', status: 503 });
    expect((e as Bitrix24Error).retryAfterMs).toBeGreaterThan(0);
    expect(await restCalls(h, p.memberId, 'profile')).toHaveLength(4);
  });

  it('expired_token: refreshes exactly once and replays the call', async () => {
    const p = await installPortal(h, db, { limits: generous });
    const client = await clientsFor().get(p.memberId);
    await client.call('user.current');
    const before = await h.emu.client.oauthStats();
    await h.emu.client.expireTokens(p.memberId);
    expect(await client.call<{ ID: string }>('user.current')).toMatchObject({ ID: '1' });
    const after = await h.emu.client.oauthStats();
    expect(after.refreshGrants - before.refreshGrants).toBe(1);
    expect(after.invalidGrant).toBe(before.invalidGrant);
    expect((await restCalls(h, p.memberId, 'user.current')).map((c) => c.error)).toEqual([null, 'expired_token', null]);
    // The rotated pair is persisted (encrypted) with a new version.
    const row = await db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
    expect(row.tokenVersion).toBe(p.version + 1);
    expect(JSON.stringify(row)).not.toContain(p.refreshToken);
  });

  it('refreshes before calling when the stored expiry has passed', async () => {
    const p = await installPortal(h, db, { limits: generous, storedExpiresAt: Math.floor(Date.now() / 1000) - 10 });
    const before = await h.emu.client.oauthStats();
    const client = await clientsFor().get(p.memberId);
    await client.call('user.current');
    expect((await h.emu.client.oauthStats()).refreshGrants - before.refreshGrants).toBe(1);
    // No 401 was needed: the first request already carried the new token.
    expect((await restCalls(h, p.memberId, 'user.current')).map((c) => c.status)).toEqual([200]);
  });

  it('invalid_grant: TOKEN_REVOKED, the portal marked NEEDS_REINSTALL, and no loop', async () => {
    const p = await installPortal(h, db, { limits: generous });
    const clients = clientsFor();
    const client = await clients.get(p.memberId);
    const before = await h.emu.client.oauthStats();
    await h.emu.client.revokeTokens(p.memberId);

    const results = await Promise.allSettled(Array.from({ length: 10 }, () => client.call('user.current')));
    for (const r of results) {
      expect(r.status).toBe('rejected');
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ kind: 'TOKEN_REVOKED', method: 'user.current' });
    }
    const after = await h.emu.client.oauthStats();
    expect(after.invalidGrant - before.invalidGrant).toBe(1);
    expect(after.refreshGrants).toBe(before.refreshGrants);
    const row = await db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
    expect(row).toMatchObject({ status: 'NEEDS_REINSTALL', accessTokenEnc: null, refreshTokenEnc: null });

    // Later calls fail fast, without touching the portal or the OAuth server.
    const calls = (await restCalls(h, p.memberId)).length;
    await expect(client.call('user.current')).rejects.toMatchObject({ kind: 'TOKEN_REVOKED' });
    await expect(clients.get(p.memberId)).rejects.toMatchObject({ kind: 'TOKEN_REVOKED' });
    expect((await restCalls(h, p.memberId)).length).toBe(calls);
    expect((await h.emu.client.oauthStats()).invalidGrant).toBe(after.invalidGrant);
  });
});

describe('portal client: shared rate limit', () => {
  it('fails with RATE_LIMITED and retryAfterMs instead of waiting longer than maxWaitMs', async () => {
    const policy = { burst: 3, drainPerSec: 1 };
    const p = await installPortal(h, db, { limits: policy });
    const client = await clientsFor({ policy, defaultMaxWaitMs: 200 }).get(p.memberId);
    // effective burst 2 (one slot of headroom): two calls go, the third would wait ~1 s.
    await client.call('user.current');
    await client.call('user.current');
    const started = Date.now();
    const e = await client.call('user.current').catch((x: unknown) => x);
    expect(Date.now() - started).toBeLessThan(150);
    expect(e).toMatchObject({ kind: 'RATE_LIMITED', b24Code: 'RATE_LIMITED' });
    expect((e as Bitrix24Error).retryAfterMs).toBeGreaterThan(500);
    expect((e as Bitrix24Error).retryable).toBe(true);
    expect(await restCalls(h, p.memberId)).toHaveLength(2);
    // A caller that can wait gets through once the slot comes.
    await expect(client.call('user.current', {}, { maxWaitMs: 3000 })).resolves.toMatchObject({ ID: '1' });
  });

  it('blocks a method whose reported operating time reached the budget, before the portal has to', async () => {
    const p = await installPortal(h, db, { limits: generous });
    await h.emu.client.setLimits(p.memberId, { operatingBudgetSec: 10, operatingCostSec: 6 });
    const client = await clientsFor({ defaultMaxWaitMs: 100, operatingBudgetSec: 10 }).get(p.memberId);
    await client.call('user.current'); // the answer reports time.operating = 6 of 10
    const e = await client.call('user.current').catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'RATE_LIMITED', b24Code: 'OPERATION_TIME_LIMIT' });
    expect((e as Bitrix24Error).retryAfterMs).toBeGreaterThan(60_000);
    expect(await restCalls(h, p.memberId, 'user.current')).toHaveLength(1);
    await expect(client.call('profile')).resolves.toBeDefined(); // other methods are unaffected
  });

  it('after a 429 OPERATION_TIME_LIMIT, blocks the method for every caller until its reset', async () => {
    const p = await installPortal(h, db, { limits: generous });
    await h.emu.client.setLimits(p.memberId, { operatingBudgetSec: 10, operatingCostSec: 6 });
    const client = await clientsFor({ defaultMaxWaitMs: 100 }).get(p.memberId); // budget unknown to us (480 s)
    await client.call('user.current');
    await client.call('user.current'); // 12 s > 10 s: the portal refuses the next one
    const e = await client.call('user.current').catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'RATE_LIMITED', b24Code: 'OPERATION_TIME_LIMIT' });
    const calls = await restCalls(h, p.memberId, 'user.current');
    expect(calls.map((c) => c.status)).toEqual([200, 200, 429]);
    await expect(client.call('user.current')).rejects.toMatchObject({ kind: 'RATE_LIMITED' });
    expect(await restCalls(h, p.memberId, 'user.current')).toHaveLength(3);
  });
});

describe('logs', () => {
  it('no issued token appears in anything this file logged or printed', () => {
    const text = logs.text() + printed.join('');
    expect(logs.lines.length).toBeGreaterThan(5); // the grep looks at real output
    const tokens = h.issuedTokens();
    expect(tokens.length).toBeGreaterThan(10);
    for (const token of tokens) expect(text).not.toContain(token);
  });
});
