import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createDb } from '@b24app/db';
import { captureLogs, randomMemberId, TEST_DATABASE_URL, TEST_ENCRYPTION_KEY, TEST_REDIS_URL } from '@b24app/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPortalClients,
  createPortalRateLimiter,
  createPrismaTokenStore,
  type RateLimitPolicy,
} from '../src/index.js';
import type { BurstConfig, BurstResult } from './call-burst.process.js';
import { type Harness, installPortal, restCalls, startHarness } from './harness.js';

// Acceptance: two extra OS processes plus this one share a portal through PostgreSQL and Redis.

const db = createDb(TEST_DATABASE_URL, { poolSize: 4 });
const redis = new Redis(TEST_REDIS_URL);
const logs = captureLogs('debug');
const childOutput: string[] = [];
const children: ChildProcess[] = [];
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill();
  await h.close();
  await Promise.all([db.$disconnect(), redis.quit()]);
});

const script = fileURLToPath(new URL('./call-burst.process.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Starts a worker-like process and resolves once it is ready to fire. */
function spawnBurst(cfg: BurstConfig) {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', script, JSON.stringify(cfg)], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let resolveReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => {
    resolveReady = r;
  });
  const result = new Promise<BurstResult>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = String(chunk);
      childOutput.push(text);
      out += text;
      if (out.includes('READY\n')) resolveReady();
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (line) resolve(JSON.parse(line.slice('RESULT '.length)) as BurstResult);
    });
    child.stderr?.on('data', (chunk: Buffer) => childOutput.push(String(chunk)));
    child.on('exit', (code) => {
      if (!out.includes('RESULT '))
        reject(new Error(`burst process exited with ${code}: ${childOutput.join('').slice(-500)}`));
    });
  });
  return { ready, result, go: () => child.stdin?.write('GO\n') };
}

async function runInThreeProcesses(opts: {
  memberId: string;
  policy: RateLimitPolicy;
  keyPrefix: string;
  counts: [number, number, number];
  maxWaitMs: number;
}): Promise<BurstResult[]> {
  const base = {
    databaseUrl: TEST_DATABASE_URL,
    redisUrl: TEST_REDIS_URL,
    keyPrefix: opts.keyPrefix,
    encryptionKeys: [`k1:${TEST_ENCRYPTION_KEY}`],
    clientId: h.clientId,
    clientSecret: h.clientSecret,
    memberId: opts.memberId,
    method: 'user.current',
    policy: opts.policy,
    maxWaitMs: opts.maxWaitMs,
  };
  const workers = [spawnBurst({ ...base, count: opts.counts[1] }), spawnBurst({ ...base, count: opts.counts[2] })];
  // This process is the third participant ("the server").
  const clients = createPortalClients({
    store: createPrismaTokenStore(db, h.cipher),
    limiter: createPortalRateLimiter(redis, { policy: opts.policy, keyPrefix: opts.keyPrefix }),
    clientId: h.clientId,
    clientSecret: h.clientSecret,
    logger: logs.logger,
    defaultMaxWaitMs: opts.maxWaitMs,
  });
  const client = await clients.get(opts.memberId);
  await Promise.all(workers.map((w) => w.ready));

  for (const w of workers) w.go();
  const startedAt = Date.now();
  const own = await Promise.allSettled(Array.from({ length: opts.counts[0] }, () => client.call('user.current')));
  const mine: BurstResult = {
    ok: own.filter((o) => o.status === 'fulfilled').length,
    failed: own.filter((o) => o.status === 'rejected').length,
    errors: own.flatMap((o) => (o.status === 'rejected' ? [String((o.reason as Error).message)] : [])),
    startedAt,
    finishedAt: Date.now(),
  };
  clients.close();
  return [mine, ...(await Promise.all(workers.map((w) => w.result)))];
}

describe('refresh single flight across processes', () => {
  it.each([
    { name: 'the portal says expired_token', settings: {}, storedExpired: false },
    { name: 'the stored expiry has passed (proactive refresh)', settings: {}, storedExpired: true },
    {
      name: 'a refresh also kills the old access token',
      settings: { invalidateAccessTokenOnRefresh: true },
      storedExpired: false,
    },
  ])(
    '$name: 3 processes × 100 concurrent calls → exactly one refresh, every call succeeds',
    async ({ settings, storedExpired }) => {
      const generous = { burst: 5000, drainPerSec: 2000 };
      await h.emu.client.setSettings(settings);
      const p = await installPortal(h, db, {
        limits: generous,
        ...(storedExpired ? { storedExpiresAt: Math.floor(Date.now() / 1000) - 5 } : {}),
      });
      await h.emu.client.expireTokens(p.memberId);
      const before = await h.emu.client.oauthStats();

      const results = await runInThreeProcesses({
        memberId: p.memberId,
        policy: generous,
        keyPrefix: `test:mp:${randomMemberId()}`,
        counts: [100, 100, 100],
        maxWaitMs: 10_000,
      });

      const after = await h.emu.client.oauthStats();
      expect(results.map((r) => r.errors)).toEqual([[], [], []]);
      expect(results.map((r) => r.ok)).toEqual([100, 100, 100]);
      expect(after.refreshGrants - before.refreshGrants).toBe(1);
      expect(after.invalidGrant - before.invalidGrant).toBe(0);
      const row = await db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
      expect(row.tokenVersion).toBe(p.version + 1);
      await h.emu.client.setSettings({ invalidateAccessTokenOnRefresh: false });
    },
    60_000,
  );
});

describe('shared rate limit across processes', () => {
  it('500 calls from three processes: zero QUERY_LIMIT_EXCEEDED, at close to the bucket’s rate', async () => {
    const policy = { burst: 20, drainPerSec: 25 };
    const p = await installPortal(h, db, { limits: policy });
    const results = await runInThreeProcesses({
      memberId: p.memberId,
      policy,
      keyPrefix: `test:mp:${randomMemberId()}`,
      counts: [166, 167, 167],
      maxWaitMs: 60_000,
    });
    expect(results.map((r) => r.errors)).toEqual([[], [], []]);
    expect(results.reduce((n, r) => n + r.ok, 0)).toBe(500);

    const calls = await restCalls(h, p.memberId);
    expect(calls.filter((c) => c.error === 'QUERY_LIMIT_EXCEEDED' || c.status === 503)).toHaveLength(0);
    expect(calls).toHaveLength(500); // nothing had to be retried

    // The portal allows `burst` at once, then `drainPerSec`: the fastest legal schedule takes (500 - burst) / rate.
    const times = calls.map((c) => c.at).sort((a, b) => a - b);
    const spanSec = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
    const idealSec = (500 - policy.burst) / policy.drainPerSec;
    const achieved = idealSec / spanSec;
    const wall = (Math.max(...results.map((r) => r.finishedAt)) - Math.min(...results.map((r) => r.startedAt))) / 1000;
    console.info(
      `[bitrix24] 500 calls, 3 processes, bucket ${policy.burst}/${policy.drainPerSec}/s: span ${spanSec.toFixed(2)} s ` +
        `(fastest legal ${idealSec.toFixed(2)} s) → ${(achieved * 100).toFixed(1)}% of the allowed rate; wall ${wall.toFixed(2)} s`,
    );
    expect(achieved).toBeGreaterThan(0.7);
    expect(achieved).toBeLessThanOrEqual(1.0);
  }, 90_000);
});

describe('logs', () => {
  it('no issued token appears in the logs of any of the processes', () => {
    const text = logs.text() + childOutput.join('');
    expect(childOutput.join('')).toContain('"msg":"bitrix24 tokens'); // the children did log about tokens
    const tokens = h.issuedTokens();
    expect(tokens.length).toBeGreaterThan(5);
    for (const token of tokens) expect(text).not.toContain(token);
  });
});
