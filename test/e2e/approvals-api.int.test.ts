import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApproval } from '../support/approvals.js';
import { apiHeaders, type InstalledPortal, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
let p: InstalledPortal;
beforeAll(async () => {
  stack = await startStack({ creator: true });
  p = await stack.installedPortal();
});
afterAll(async () => {
  await stack?.close();
});

const post = (body: unknown, headers: Record<string, string> = apiHeaders) =>
  fetch(`${stack.serverUrl}/api/v1/approvals`, { method: 'POST', headers, body: JSON.stringify(body) });

/** The emulator's configurable activities that our adds created for this approval. */
const activitiesOf = async (approvalId: string) =>
  (await stack.emu.activities(p.memberId)).filter((a) => a.fields.originId === approvalId);

describe('integrations API: creating approvals', () => {
  it('refuses bad requests with clear 4xx errors', async () => {
    expect((await post({}, { ...apiHeaders, authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    const invalid = await post({ memberId: 'nope', ownerTypeId: 0, ownerId: 1 });
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details.map((d) => d.path).sort()).toEqual(['memberId', 'ownerTypeId', 'title']);
    const notJson = await fetch(`${stack.serverUrl}/api/v1/approvals`, {
      method: 'POST',
      headers: apiHeaders,
      body: '{"memberId":',
    });
    expect(notJson.status).toBe(400);
    const unknownPortal = await post({ memberId: 'a'.repeat(32), ownerTypeId: 2, ownerId: 1, title: 'x' });
    expect(unknownPortal.status).toBe(409);
    const missingDeal = await post({ memberId: p.memberId, ownerTypeId: 2, ownerId: 987_654, title: 'x' });
    expect(missingDeal.status).toBeGreaterThanOrEqual(400);
    expect(missingDeal.status).toBeLessThan(500);
    expect((await fetch(`${stack.serverUrl}/api/v1/approvals/not-a-uuid`, { headers: apiHeaders })).status).toBe(400);
  });

  it('ids above 2^31-1 (our columns and Bitrix24 ids are 32-bit) are a 400 naming the field, not a 500', async () => {
    const base = { memberId: p.memberId, ownerTypeId: 2, ownerId: p.dealId, title: 'Too big' };
    for (const [patch, path] of [
      [{ ownerTypeId: 2 ** 31 }, 'ownerTypeId'],
      [{ ownerId: 2 ** 31 }, 'ownerId'],
      [{ responsibleId: 2 ** 31 }, 'responsibleId'],
      [{ requester: { id: 2 ** 31 } }, 'requester.id'],
    ] as const) {
      const res = await post({ ...base, ...patch });
      const body = (await res.json()) as { error: { code: string; details: { path: string; message: string }[] } };
      expect({ status: res.status, code: body.error.code, details: body.error.details }).toEqual({
        status: 400,
        code: 'VALIDATION_FAILED',
        details: [{ path, message: expect.stringContaining('up to 2147483647') }],
      });
    }
  });

  it('an add whose answer was lost (it ran) is found by its originId: one activity, 201', async () => {
    await stack.emu.injectFailures({
      memberId: p.memberId,
      method: 'crm.activity.configurable.add',
      count: 1,
      kind: '500',
      phase: 'after',
    });
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    expect(a.status).toBe(201);
    const acts = await activitiesOf(a.id);
    expect(acts.map((x) => x.id)).toEqual([a.activityId]);
  });

  it("an add that failed before running is the creation job's to retry: one activity, and the key again answers 200", async () => {
    // Was: 503, and the client retried. Now the create is recorded and the job retries the add (by design).
    const key = `retry-${Date.now()}`;
    await stack.emu.injectFailures({
      memberId: p.memberId,
      method: 'crm.activity.configurable.add',
      count: 1,
      kind: '500',
      phase: 'before',
    });
    const first = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId, title: 'Retry me' }, key);
    expect([201, 202]).toContain(first.status);
    expect((await activitiesOf(first.id)).map((x) => x.id)).toEqual([first.activityId]);
    const again = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId, title: 'Retry me' }, key);
    expect(again).toEqual({ status: 200, id: first.id, activityId: first.activityId });
  });

  it('a lost answer whose lookup fails too: the job looks again before adding, so one activity', async () => {
    const key = `lost-${Date.now()}`;
    // Both the add's answer and the follow-up lookup fail, so the first attempt cannot know.
    await stack.emu.injectFailures({
      memberId: p.memberId,
      method: 'crm.activity.configurable.add',
      count: 1,
      kind: '500',
      phase: 'after',
    });
    // maxAttempts of an idempotent call is 4 (packages/bitrix24 DEFAULT_RETRY): all four fail.
    await stack.emu.injectFailures({ memberId: p.memberId, method: 'crm.activity.list', count: 4, kind: '500' });
    const first = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId, title: 'Lost' }, key);
    expect([201, 202]).toContain(first.status);
    expect((await activitiesOf(first.id)).map((x) => x.id)).toEqual([first.activityId]);
    const row = await stack.db.approval.findUniqueOrThrow({ where: { id: first.id } });
    expect(row.addAttempts).toBe(2); // the second attempt found the first one's activity instead of adding
  });

  it('a create the portal refuses is answered with its reason, and nothing is left of it without a key', async () => {
    const before = await stack.db.approval.count();
    const res = await post({ memberId: p.memberId, ownerTypeId: 2, ownerId: 987_655, title: 'No such deal' });
    // The portal answers ACCESS_DENIED for an item it does not show: mapped as any portal answer is.
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    expect(await stack.db.approval.count()).toBe(before);
  });
});

describe('integrations API: a portal that reuses activity ids', () => {
  it('a stale approval holding the id the portal just gave out lets go of it (no 500)', async () => {
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    const portal = await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
    // A row from before a portal reset that still claims the id the next add will get.
    const next = a.activityId + 1;
    const stale = await stack.db.approval.create({
      data: { portalId: portal.id, ownerTypeId: 2, ownerId: p.dealId, title: 'stale', activityId: next },
    });
    const b = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    expect(b.activityId).toBe(next);
    expect((await stack.db.approval.findUniqueOrThrow({ where: { id: stale.id } })).activityId).toBeNull();
  });
});
