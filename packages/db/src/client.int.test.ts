import { afterAll, describe, expect, it } from 'vitest';
import { randomMemberId, TEST_DATABASE_URL } from '@b24app/testing';
import { createDb, pingDb } from './client.js';

const db = createDb(TEST_DATABASE_URL, { poolSize: 2 });
afterAll(() => db.$disconnect());

describe('Prisma client on the migrated database', () => {
  it('reads and writes every model', async () => {
    await pingDb(db);
    const memberId = randomMemberId();
    const portal = await db.portal.create({
      data: {
        memberId,
        domain: 'example.bitrix24.com',
        clientEndpoint: 'https://example.bitrix24.com/rest/',
        serverEndpoint: 'https://oauth.bitrix.info/rest/',
        accessTokenEnc: 'x',
        tokenKeyId: 'k1',
        accessExpiresAt: new Date(),
      },
    });
    expect(portal.status).toBe('ACTIVE');
    expect(portal.tokenVersion).toBe(0);

    const settings = await db.portalSettings.create({ data: { portalId: portal.id, badgeCode: 'approval_pending' } });
    expect(settings.language).toBe('en');

    const approval = await db.approval.create({
      data: {
        portalId: portal.id,
        ownerTypeId: 2,
        ownerId: 7,
        title: 'Discount',
        idempotencyKey: 'k-1',
        activityId: 55,
      },
    });
    expect(approval.state).toBe('PENDING');
    await expect(
      db.approval.create({
        data: { portalId: portal.id, ownerTypeId: 2, ownerId: 7, title: 'dup', idempotencyKey: 'k-1' },
      }),
    ).rejects.toThrow();

    const ev = await db.timelineEvent.create({
      data: {
        portalId: portal.id,
        dedupeKey: `${memberId}:55:approve:1`,
        activityId: 55,
        actionId: 'approve',
        entityTypeId: 2,
        entityId: 7,
        userId: 1,
        params: { approvalId: approval.id },
        eventTs: 1727018926,
      },
    });
    expect(ev.state).toBe('RECEIVED');

    const loaded = await db.portal.findUniqueOrThrow({
      where: { memberId },
      include: { settings: true, approvals: true, timelineEvents: true },
    });
    expect(loaded.settings?.badgeCode).toBe('approval_pending');
    expect(loaded.approvals.map((a) => a.id)).toEqual([approval.id]);
    expect(loaded.timelineEvents[0]?.params).toEqual({ approvalId: approval.id });

    await db.portal.delete({ where: { id: portal.id } }); // cascades
    expect(await db.approval.count({ where: { portalId: portal.id } })).toBe(0);
  });

  it('bounds pool acquisition: with every connection busy, a query fails fast instead of queueing forever', async () => {
    const tiny = createDb(TEST_DATABASE_URL, { poolSize: 1, connectionTimeoutMs: 300 });
    try {
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let inside!: () => void;
      const started = new Promise<void>((r) => {
        inside = r;
      });
      // The one connection sits in a transaction (as a refresh waiting on a slow OAuth server does).
      const busy = tiny.$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT 1`;
          inside();
          await held;
        },
        { timeout: 30_000 },
      );
      await started;
      await expect(tiny.$queryRaw`SELECT 2`).rejects.toThrow(/timeout/i);
      release();
      await busy;
      await expect(pingDb(tiny)).resolves.toBeUndefined();
    } finally {
      await tiny.$disconnect();
    }
  });

  it('bounds statements with statement_timeout', async () => {
    const bounded = createDb(TEST_DATABASE_URL, { poolSize: 1, statementTimeoutMs: 200 });
    try {
      await expect(bounded.$queryRaw`SELECT pg_sleep(5)`).rejects.toThrow(/statement timeout/i);
    } finally {
      await bounded.$disconnect();
    }
  });
});
