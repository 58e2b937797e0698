import { randomBytes } from 'node:crypto';
import { AppError, createLogger, sha256Hex } from '@b24app/core';
import { createDb, type Db } from '@b24app/db';
import { createRedis } from '@b24app/jobs';
import { randomMemberId, TEST_DATABASE_URL, TEST_REDIS_URL } from '@b24app/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { type ApplicationTokenVerifier, createApplicationTokenVerifier } from './application-token-verifier.js';
import { createFailedCheckLimiter } from './failed-check-limiter.js';

const db = createDb(TEST_DATABASE_URL, { poolSize: 4 });
const publisher = createRedis(TEST_REDIS_URL, 'worker');
const opened: ApplicationTokenVerifier[] = [];
afterAll(async () => {
  await Promise.all(opened.map((v) => v.close()));
  await publisher.quit();
  await db.$disconnect();
});

const logger = createLogger({ level: 'silent' });
const token = () => randomBytes(16).toString('hex');

/** The database as the verifier sees it, counting the portal reads it makes. */
function countingDb() {
  const counter = { reads: 0, inFlight: 0, maxInFlight: 0 };
  const counted = {
    portal: {
      findUnique: async (args: Parameters<Db['portal']['findUnique']>[0]) => {
        counter.reads += 1;
        counter.maxInFlight = Math.max(counter.maxInFlight, ++counter.inFlight);
        try {
          return await db.portal.findUnique(args);
        } finally {
          counter.inFlight -= 1;
        }
      },
    },
  } as unknown as Db;
  return { db: counted, counter };
}

/** One verifier = one server replica: its own cache, its own subscriber connection. */
function replica(channel: string, opts: { maxFailures?: number; now?: () => number; ttlMs?: number } = {}) {
  const { db: counted, counter } = countingDb();
  const verifier = createApplicationTokenVerifier({
    db: counted,
    redis: publisher,
    subscriber: createRedis(TEST_REDIS_URL, 'worker', { autoResubscribe: false }),
    channel,
    limiter: createFailedCheckLimiter({ maxFailures: opts.maxFailures ?? 1_000, windowMs: 60_000 }),
    logger,
    options: { ttlMs: opts.ttlMs ?? 600_000, ...(opts.now ? { now: opts.now } : {}) },
  });
  opened.push(verifier);
  return { verifier, counter };
}

async function subscribers(channel: string, n: number) {
  for (let i = 0; i < 200; i++) {
    const [, count] = (await publisher.pubsub('NUMSUB', channel)) as [string, number];
    if (count >= n) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`fewer than ${n} subscribers on ${channel}`);
}

async function seedPortal(applicationToken: string) {
  const memberId = randomMemberId();
  await db.portal.create({
    data: {
      memberId,
      domain: `${memberId.slice(0, 8)}.bitrix24.com`,
      clientEndpoint: 'https://example.bitrix24.com/rest/',
      serverEndpoint: 'https://oauth.bitrix.info/rest/',
      scope: 'crm',
      applicationTokenHash: sha256Hex(applicationToken),
    },
  });
  return memberId;
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: unknown) => (e instanceof AppError ? e.code : 'other'),
  );

describe('application token verifier', () => {
  it('a token revoked through one replica is refused by the other at once, not after its cache lifetime', async () => {
    const channel = `test:${randomMemberId()}`;
    const a = replica(channel);
    const b = replica(channel);
    await subscribers(channel, 2);
    const oldToken = token();
    const memberId = await seedPortal(oldToken);
    expect(await codeOf(a.verifier.verify(memberId, oldToken))).toBe('accepted');
    expect(await codeOf(b.verifier.verify(memberId, oldToken))).toBe('accepted');
    const readsBefore = b.counter.reads;
    expect(await codeOf(b.verifier.verify(memberId, oldToken))).toBe('accepted');
    expect(b.counter.reads).toBe(readsBefore); // served from b's cache (lifetime 10 min here)

    // Replica a handles an ONAPPUPDATE that rotates the token (the service writes, then forgets).
    const newToken = token();
    await db.portal.update({ where: { memberId }, data: { applicationTokenHash: sha256Hex(newToken) } });
    a.verifier.forget(memberId);

    for (let i = 0; i < 100 && (await codeOf(b.verifier.verify(memberId, oldToken))) === 'accepted'; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await codeOf(b.verifier.verify(memberId, oldToken))).toBe('UNAUTHORIZED');
    expect(await codeOf(b.verifier.verify(memberId, newToken))).toBe('accepted');
    expect(await codeOf(a.verifier.verify(memberId, oldToken))).toBe('UNAUTHORIZED');
  });

  it('a flood of forged tokens for an installed portal costs no query per request', async () => {
    const channel = `test:${randomMemberId()}`;
    let clock = 1_000_000;
    const r = replica(channel, { now: () => clock });
    await subscribers(channel, 1);
    const good = token();
    const memberId = await seedPortal(good);
    expect(await codeOf(r.verifier.verify(memberId, good))).toBe('accepted');
    const codes = await Promise.all(
      Array.from({ length: 200 }, () => codeOf(r.verifier.verify(memberId, token(), { ip: '203.0.113.9' }))),
    );
    expect(new Set(codes)).toEqual(new Set(['UNAUTHORIZED']));
    expect(r.counter.reads).toBe(1); // the genuine check only

    // After recheckMs a mismatch is read again (once, whatever the concurrency): a token rotated
    // without our notice is accepted then.
    clock += 1_500;
    await Promise.all(Array.from({ length: 20 }, () => codeOf(r.verifier.verify(memberId, token()))));
    expect(r.counter.reads).toBe(2);
    expect(await codeOf(r.verifier.verify(memberId, good))).toBe('accepted');
  });

  it('unknown member ids are remembered; a source over its failure budget has its checks run one at a time, and a genuine event from it passes', async () => {
    const channel = `test:${randomMemberId()}`;
    const r = replica(channel, { maxFailures: 5 });
    await subscribers(channel, 1);
    const unknownMember = randomMemberId();
    for (let i = 0; i < 3; i++) {
      expect(await codeOf(r.verifier.verify(unknownMember, token(), { ip: '198.51.100.1' }))).toBe('UNAUTHORIZED');
    }
    expect(r.counter.reads).toBe(1);

    // Spend the source's budget, then flood it with fresh member ids at once: every check is refused, and
    // the reads of the limited source never overlap.
    for (let i = 0; i < 4; i++) await codeOf(r.verifier.verify(randomMemberId(), token(), { ip: '198.51.100.1' }));
    r.counter.maxInFlight = 0;
    const codes = await Promise.all(
      Array.from({ length: 20 }, () => codeOf(r.verifier.verify(randomMemberId(), token(), { ip: '198.51.100.1' }))),
    );
    expect(new Set(codes)).toEqual(new Set(['UNAUTHORIZED']));
    expect(r.counter.maxInFlight).toBe(1);

    // A genuine portal's event from the limited source, never seen by this replica, is accepted.
    const good = token();
    const memberId = await seedPortal(good);
    expect(await codeOf(r.verifier.verify(memberId, good, { ip: '198.51.100.1' }))).toBe('accepted');
    // Another source is not limited: its reads run in parallel.
    r.counter.maxInFlight = 0;
    await Promise.all(
      Array.from({ length: 5 }, () => codeOf(r.verifier.verify(randomMemberId(), token(), { ip: '198.51.100.2' }))),
    );
    expect(r.counter.maxInFlight).toBeGreaterThan(1);
  });

  it('an install in another replica makes a member id first seen as unknown valid at once', async () => {
    const channel = `test:${randomMemberId()}`;
    const a = replica(channel);
    const b = replica(channel);
    await subscribers(channel, 2);
    const memberId = randomMemberId();
    const good = token();
    expect(await codeOf(b.verifier.verify(memberId, good))).toBe('UNAUTHORIZED'); // cached as unknown
    await db.portal.create({
      data: {
        memberId,
        domain: `${memberId.slice(0, 8)}.bitrix24.com`,
        clientEndpoint: 'https://example.bitrix24.com/rest/',
        serverEndpoint: 'https://oauth.bitrix.info/rest/',
        scope: 'crm',
        applicationTokenHash: sha256Hex(good),
      },
    });
    a.verifier.forget(memberId);
    for (let i = 0; i < 100 && (await codeOf(b.verifier.verify(memberId, good))) !== 'accepted'; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await codeOf(b.verifier.verify(memberId, good))).toBe('accepted');
  });
});
