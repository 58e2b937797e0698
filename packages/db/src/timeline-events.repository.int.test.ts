import { randomUUID } from 'node:crypto';
import { randomMemberId, TEST_DATABASE_URL } from '@b24app/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from './client.js';
import { type RecordClickInput, createTimelineEventsRepository } from './timeline-events.repository.js';

const db = createDb(TEST_DATABASE_URL, { poolSize: 3 });
const clicks = createTimelineEventsRepository(db);
let portalId: string;
let activity = 0;

beforeAll(async () => {
  const memberId = randomMemberId();
  const p = await db.portal.create({
    data: {
      memberId,
      domain: `${memberId}.example.com`,
      clientEndpoint: `https://${memberId}.example.com/rest/`,
      serverEndpoint: 'https://oauth.bitrix.info/rest/',
    },
  });
  portalId = p.id;
});
afterAll(async () => {
  await db.portal.delete({ where: { id: portalId } }).catch(() => {});
  await db.$disconnect();
});

const input = (over: Partial<RecordClickInput> = {}): RecordClickInput => ({
  id: randomUUID(),
  portalId,
  dedupeKey: randomUUID(),
  activityId: ++activity,
  actionId: 'approve',
  entityTypeId: 2,
  entityId: 1,
  userId: 7,
  params: { approvalId: 'a' },
  eventTs: 1,
  userAuth: { keyId: 'k1', data: 'sealed' },
  ...over,
});
const row = (id: string) => db.timelineEvent.findUniqueOrThrow({ where: { id } });

describe('timeline_events lifecycle (the one writer)', () => {
  it('record is idempotent by dedupe key; markEnqueued only moves RECEIVED clicks', async () => {
    const c = input();
    expect(await clicks.record(c)).toEqual({ eventId: c.id, duplicate: false });
    expect(await clicks.record({ ...c, id: randomUUID() })).toEqual({ eventId: c.id, duplicate: true });
    const at = new Date('2026-01-01T00:00:00Z');
    await clicks.markEnqueued([{ id: c.id, at }]);
    expect(await row(c.id)).toMatchObject({ state: 'ENQUEUED', enqueuedAt: at, jobId: null });
    await clicks.claim(c.id);
    await clicks.markEnqueued([{ id: c.id, at: new Date() }]);
    expect(await row(c.id)).toMatchObject({ state: 'PROCESSING', attempts: 1, enqueuedAt: at });
  });

  it('a decision from the app page is recorded with its source; applyDecision keeps its comment, once', async () => {
    const approval = await db.approval.create({
      data: { portalId, ownerTypeId: 2, ownerId: 1, title: 'With a comment' },
    });
    const c = input({
      source: 'APP_PAGE',
      actionId: 'reject',
      params: { approvalId: approval.id, comment: 'No budget' },
    });
    await clicks.record(c);
    expect((await clicks.loadClick(c.id))?.event).toMatchObject({
      source: 'APP_PAGE',
      params: { comment: 'No budget' },
    });
    expect((await clicks.loadClick(c.id))?.portal).toMatchObject({
      pingOffsets: [0, 60],
      rejectCommentRequired: false,
    });
    const decided = await clicks.applyDecision({
      approvalId: approval.id,
      eventId: c.id,
      state: 'REJECTED',
      userId: 7,
      userName: 'Ann',
      comment: 'No budget',
    });
    expect(decided).toMatchObject({ state: 'REJECTED', decidedById: 7, decisionComment: 'No budget' });
    expect((await row(c.id)).outcome).toBe('applied');
    // A second decision changes nothing, its comment included.
    const other = input();
    await clicks.record(other);
    expect(
      await clicks.applyDecision({
        approvalId: approval.id,
        eventId: other.id,
        state: 'APPROVED',
        userId: 8,
        userName: null,
        comment: 'late',
      }),
    ).toBeNull();
    expect(await db.approval.findUniqueOrThrow({ where: { id: approval.id } })).toMatchObject({
      state: 'REJECTED',
      decisionComment: 'No budget',
    });
    expect((await row(other.id)).source).toBe('EVENT');
  });

  it('a rate-limited pass gives its attempt back; finish DONE clears the user token, FAILED keeps it', async () => {
    const done = input();
    await clicks.record(done);
    await clicks.claim(done.id);
    await clicks.yieldToRateLimit(done.id, 'rate limited');
    expect(await row(done.id)).toMatchObject({ attempts: 0, error: 'rate limited' });
    await clicks.claim(done.id);
    expect(await clicks.finish({ eventId: done.id, outcome: 'applied', error: null, updated: true })).toBeInstanceOf(
      Date,
    );
    expect(await row(done.id)).toMatchObject({
      state: 'DONE',
      outcome: 'applied',
      userAuthEnc: null,
      userAuthKeyId: null,
    });

    const gone = input();
    await clicks.record(gone);
    await clicks.claim(gone.id);
    await clicks.finish({
      eventId: gone.id,
      outcome: 'portal_gone',
      error: 'portal is needs_reinstall',
      updated: false,
    });
    expect(await row(gone.id)).toMatchObject({ state: 'FAILED', outcome: 'portal_gone', userAuthEnc: 'sealed' });
  });

  it('requeueAfterReinstall takes back only FAILED portal_gone clicks; the relay enqueues them with fresh job ids', async () => {
    const gone = input();
    const abandoned = input();
    await clicks.record(gone);
    await clicks.record(abandoned);
    await clicks.finish({ eventId: gone.id, outcome: 'portal_gone', error: null, updated: false });
    await clicks.markEnqueued([{ id: abandoned.id, at: new Date() }]);
    expect(await clicks.abandon(abandoned.id)).toBe(true);
    expect(await clicks.abandon(abandoned.id)).toBe(false); // finished already: left alone

    expect(await db.$transaction((tx) => clicks.requeueAfterReinstall(tx, portalId))).toBe(2); // this one and the previous test's
    expect(await row(gone.id)).toMatchObject({ state: 'RECEIVED', outcome: null, finishedAt: null });
    expect(await row(abandoned.id)).toMatchObject({ state: 'FAILED', outcome: 'abandoned' });

    // received_at is now-ish: a grace of -1 s takes it at once.
    const handed: string[][] = [];
    const n = await clicks.relayReceived({ graceMs: -1_000, limit: 1_000 }, async (ids) => {
      handed.push(ids);
      return ids.map((id) => `${id}-relay-x`);
    });
    expect(n).toBeGreaterThanOrEqual(1);
    expect(handed.flat()).toContain(gone.id);
    expect(await row(gone.id)).toMatchObject({ state: 'ENQUEUED', jobId: `${gone.id}-relay-x` });
  });

  it('a failing enqueue rolls the relay pass back: the clicks stay RECEIVED', async () => {
    const c = input();
    await clicks.record(c);
    await expect(
      clicks.relayReceived({ graceMs: -1_000, limit: 1_000 }, async () => {
        throw new Error('redis down');
      }),
    ).rejects.toThrow('redis down');
    expect((await row(c.id)).state).toBe('RECEIVED');
    await db.timelineEvent.deleteMany({ where: { portalId, state: 'RECEIVED' } });
  });

  it('the sweeper sees stale unfinished clicks with their latest job id, and markRequeued records the new one', async () => {
    const c = input();
    await clicks.record(c);
    await clicks.markEnqueued([{ id: c.id, at: new Date(Date.now() - 120_000), jobId: `${c.id}-relay-1` }]);
    await db.timelineEvent.update({ where: { id: c.id }, data: { receivedAt: new Date(Date.now() - 120_000) } });
    const stale = await clicks.staleClicks(new Date(Date.now() - 60_000), 1_000);
    expect(stale.find((s) => s.id === c.id)).toEqual({
      id: c.id,
      attempts: 0,
      activityId: c.activityId,
      jobId: `${c.id}-relay-1`,
    });
    await clicks.markRequeued(c.id, `${c.id}-sweep-1`);
    expect((await clicks.staleClicks(new Date(Date.now() - 60_000), 1_000)).some((s) => s.id === c.id)).toBe(false);
    expect((await row(c.id)).jobId).toBe(`${c.id}-sweep-1`);
  });
});
