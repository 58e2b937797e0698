import { createTokenCipher } from '@b24app/core';
import { TEST_ENCRYPTION_KEY } from '@b24app/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppSessionCodec } from '../../apps/server/src/app-page/app-session.js';
import { appApi, openAppPage } from '../support/app-page.js';
import { createApproval } from '../support/approvals.js';
import { type InstalledPortal, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
let p: InstalledPortal;
let other: InstalledPortal;
let memberUserId: number;

beforeAll(async () => {
  stack = await startStack({ creator: true });
  p = await stack.installedPortal();
  other = await stack.installedPortal();
  memberUserId = (await stack.emu.createUser(p.memberId, { name: 'Olga', admin: false })).id;
});
afterAll(async () => {
  await stack?.close();
});

/** REST calls on the portal since `since` (the OAuth server's app.info is not a portal call). */
const restCallsSince = async (memberId: string, since: number) =>
  (await stack.emu.calls({ memberId, since })).filter((c) => c.kind === 'rest');
const lastSeq = async () => Math.max(0, ...(await stack.emu.calls({})).map((c) => c.seq));

describe('app page: who is asking', () => {
  it('an admin opening the page gets a session bound to the portal and Bitrix24 proven identity', async () => {
    const page = await openAppPage(stack, { memberId: p.memberId, domain: p.domain, userId: p.adminUserId });
    expect(page.status).toBe(200);
    expect(page.boot?.user).toMatchObject({ id: p.adminUserId, admin: true });
    expect(page.html).not.toContain(page.accessToken); // the user token is inside the session, encrypted
    const me = await appApi(stack, page.boot?.session ?? '')('GET', '/me');
    expect(me.json.user).toMatchObject({ id: p.adminUserId, admin: true });
  });

  it('a forged AUTH_ID gets the refusal page, no session, and no portal call at all', async () => {
    const since = await lastSeq();
    const page = await openAppPage(stack, {
      memberId: p.memberId,
      domain: p.domain,
      userId: p.adminUserId,
      authId: 'f'.repeat(70),
    });
    expect(page.status).toBe(401);
    expect(page.boot).toBeNull();
    expect(page.html).toContain('Access refused');
    expect(await restCallsSince(p.memberId, since)).toEqual([]);
  });

  it("another portal's token posted with this portal's member_id is refused", async () => {
    const since = await lastSeq();
    const theirs = await stack.emu.issueTokens(other.memberId, stack.clientId, other.adminUserId);
    const page = await openAppPage(stack, {
      memberId: p.memberId,
      domain: p.domain,
      userId: p.adminUserId,
      authId: theirs.access_token,
    });
    expect(page.status).toBe(401);
    expect(page.boot).toBeNull();
    expect(await restCallsSince(p.memberId, since)).toEqual([]);
  });

  it('a DOMAIN that is not the portal of member_id is refused before any outbound call', async () => {
    const since = await lastSeq();
    const page = await openAppPage(stack, { memberId: p.memberId, domain: other.domain, userId: p.adminUserId });
    expect(page.status).toBe(401);
    expect(await stack.emu.calls({ since })).toEqual([]);
  });

  it('an uninstalled portal gets the refusal page and its old sessions stop working', async () => {
    const gone = await stack.installedPortal();
    const before = await openAppPage(stack, { memberId: gone.memberId, domain: gone.domain, userId: gone.adminUserId });
    expect(before.status).toBe(200);
    await stack.emu.uninstallApp(gone.memberId, stack.clientId);
    await stack.emu.waitForDeliveries({ memberId: gone.memberId, event: 'ONAPPUNINSTALL' });
    const { waitFor } = await import('../support/stack.js');
    await waitFor(
      async () => (await stack.db.portal.findUnique({ where: { memberId: gone.memberId } }))?.status === 'UNINSTALLED',
    );
    const after = await openAppPage(stack, {
      memberId: gone.memberId,
      domain: gone.domain,
      userId: gone.adminUserId,
      authId: before.accessToken,
    });
    expect(after.status).toBe(409);
    expect(after.boot).toBeNull();
    expect((await appApi(stack, before.boot?.session ?? '')('GET', '/badges')).status).toBe(401);
  });
});

describe('app page API: refusals change nothing and call nothing', () => {
  it('no session, a garbled one and an expired one: 401, and no portal call', async () => {
    const since = await lastSeq();
    expect((await appApi(stack, null)('GET', '/badges')).status).toBe(401);
    expect((await appApi(stack, 'abc.def')('GET', '/badges')).status).toBe(401);
    const expired = createAppSessionCodec({
      secret: TEST_ENCRYPTION_KEY,
      cipher: createTokenCipher([TEST_ENCRYPTION_KEY]),
      ttlSec: 60,
      now: () => Math.floor(Date.now() / 1000) - 3600,
    }).issue(
      {
        portalId: (await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } })).id,
        memberId: p.memberId,
        userId: p.adminUserId,
        admin: true,
        userName: 'x',
        lang: 'en',
        userTokenExpiresAt: Math.floor(Date.now() / 1000) + 3600,
      },
      'token',
    );
    const r = await appApi(stack, expired.token)('PUT', '/settings', { badgeCode: null, language: 'ru' });
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('UNAUTHORIZED');
    // A session signed with another key is refused too.
    const forged = createAppSessionCodec({
      secret: Buffer.alloc(32, 7).toString('base64'),
      cipher: createTokenCipher([TEST_ENCRYPTION_KEY]),
      ttlSec: 60,
    }).issue(
      {
        portalId: '00000000-0000-0000-0000-000000000000',
        memberId: p.memberId,
        userId: 1,
        admin: true,
        userName: 'x',
        lang: 'en',
        userTokenExpiresAt: Math.floor(Date.now() / 1000) + 3600,
      },
      'token',
    );
    expect((await appApi(stack, forged.token)('GET', '/operations')).status).toBe(401);
    expect(await restCallsSince(p.memberId, since)).toEqual([]);
    const settings = await stack.db.portalSettings.findFirst({ where: { portal: { memberId: p.memberId } } });
    expect(settings?.language).toBe('en');
  });

  it("one portal's session never sees another portal's approvals", async () => {
    const mine = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId, title: 'Mine only' });
    const theirs = await openAppPage(stack, {
      memberId: other.memberId,
      domain: other.domain,
      userId: other.adminUserId,
    });
    const api = appApi(stack, theirs.boot?.session ?? '');
    const list = await api('GET', '/approvals');
    expect(list.status).toBe(200);
    expect(list.json.items.map((a: { id: string }) => a.id)).not.toContain(mine.id);
    expect((await api('GET', `/approvals/${mine.id}`)).status).toBe(404);
    expect((await api('GET', `/approvals/by-activity/${mine.activityId}`)).status).toBe(404);
  });

  it('a non-admin on admin operations: 403 from us, settings unchanged, nothing called on Bitrix24', async () => {
    const page = await openAppPage(stack, { memberId: p.memberId, domain: p.domain, userId: memberUserId });
    expect(page.boot?.user.admin).toBe(false);
    const api = appApi(stack, page.boot?.session ?? '');
    const since = await lastSeq();
    const put = await api('PUT', '/settings', { badgeCode: null, language: 'ru' });
    expect(put.status).toBe(403);
    expect(put.json.error.code).toBe('FORBIDDEN');
    expect((await api('GET', '/operations')).status).toBe(403);
    expect((await api('POST', '/settings/default-badge')).status).toBe(403);
    const click = '00000000-0000-4000-8000-000000000000';
    expect((await api('POST', `/operations/clicks/${click}/replay`)).status).toBe(403);
    expect(await restCallsSince(p.memberId, since)).toEqual([]);
    const settings = await stack.db.portalSettings.findFirst({ where: { portal: { memberId: p.memberId } } });
    expect(settings?.language).toBe('en');
  });

  it("a non-admin adding a badge gets Bitrix24's own refusal, asked with their token, as a readable error", async () => {
    const page = await openAppPage(stack, { memberId: p.memberId, domain: p.domain, userId: memberUserId });
    const since = await lastSeq();
    const r = await appApi(stack, page.boot?.session ?? '')('POST', '/badges', {
      code: 'vip',
      title: { en: 'VIP', ru: 'VIP' },
      value: { en: 'Important', ru: 'Важно' },
      type: 'primary',
    });
    expect(r.status).toBe(403);
    expect(r.json.error).toMatchObject({ code: 'FORBIDDEN', details: { b24Code: 'ACCESS_DENIED' } });
    expect(r.json.error.message).toMatch(/refused access/);
    const calls = await restCallsSince(p.memberId, since);
    expect(calls.map((c) => [c.method, c.userId])).toEqual([['crm.activity.badge.add', memberUserId]]);
    expect(calls[0]?.status).toBe(400);
  });

  it('bad badge input: field-level messages and no call to Bitrix24', async () => {
    const page = await openAppPage(stack, { memberId: p.memberId, domain: p.domain, userId: p.adminUserId });
    const since = await lastSeq();
    const r = await appApi(stack, page.boot?.session ?? '')('POST', '/badges', {
      code: 'has space',
      title: { en: '', ru: 'Заголовок' },
      value: '',
      type: 'primary',
    });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('VALIDATION_FAILED');
    const paths = r.json.error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(['code', 'title.en', 'value']);
    expect(await restCallsSince(p.memberId, since)).toEqual([]);
  });

  it('an admin adds a multilingual badge with their own token, lists it, picks it for new approvals', async () => {
    const page = await openAppPage(stack, { memberId: p.memberId, domain: p.domain, userId: p.adminUserId });
    const api = appApi(stack, page.boot?.session ?? '');
    const add = await api('POST', '/badges', {
      code: 'approval_vip',
      title: { en: 'Approval', ru: 'Согласование' },
      value: { en: 'VIP', ru: 'ВИП' },
      type: 'success',
    });
    expect(add.status).toBe(201);
    const list = await api('GET', '/badges');
    expect(list.json.badges).toContainEqual(expect.objectContaining({ code: 'approval_vip', type: 'success' }));
    const missing = await api('PUT', '/settings', { badgeCode: 'no_such_badge', language: 'en' });
    expect(missing.status).toBe(400);
    expect(missing.json.error.details[0].path).toBe('badgeCode');
    const unknownIcon = await api('PUT', '/settings', { badgeCode: null, language: 'en', iconCode: 'no-such-icon' });
    expect(unknownIcon.status).toBe(400);
    expect(unknownIcon.json.error.details[0].path).toBe('iconCode');
    const saved = await api('PUT', '/settings', {
      badgeCode: 'approval_vip',
      language: 'ru',
      iconCode: 'info',
      logoCode: 'document',
    });
    expect(saved.json.settings).toMatchObject({ badgeCode: 'approval_vip', language: 'ru', updatedBy: p.adminUserId });
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId, title: 'Carries the badge' });
    const activity = (await stack.emu.activities(p.memberId)).find((x) => x.id === a.activityId);
    expect(activity?.fields.badgeCode).toBe('approval_vip');
    expect(activity?.layout).toMatchObject({ icon: { code: 'info' }, body: { logo: { code: 'document' } } });
    expect(JSON.stringify(activity?.layout)).toContain('Согласов'); // the card in the chosen language
    await api('PUT', '/settings', { badgeCode: null, language: 'en', iconCode: null, logoCode: null });
  });

  it('session renewal gives a fresh token for the same user; details by activity id', async () => {
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId, title: 'Details' });
    const page = await openAppPage(stack, {
      memberId: p.memberId,
      domain: p.domain,
      userId: p.adminUserId,
      placementOptions: { entityTypeId: '2', entityId: String(p.dealId), activityId: String(a.activityId) },
    });
    expect(page.boot?.view).toEqual({ name: 'details', activityId: a.activityId });
    const renewed = await appApi(stack, page.boot?.session ?? '')('POST', '/session');
    expect(renewed.json.token).toEqual(expect.any(String));
    const details = await appApi(stack, renewed.json.token)('GET', `/approvals/by-activity/${a.activityId}`);
    expect(details.json).toMatchObject({ id: a.id, title: 'Details', state: 'pending' });
    expect(details.json.card.header.title).toBeDefined();
    const about = await openAppPage(stack, {
      memberId: p.memberId,
      domain: p.domain,
      userId: p.adminUserId,
      placementOptions: { context: 'aboutMenuItem' },
    });
    expect(about.boot?.view).toEqual({ name: 'about' });
  });

  it('activities: the app sees its own on the portal and deletes one with the user token', async () => {
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId, title: 'To delete' });
    const page = await openAppPage(stack, { memberId: p.memberId, domain: p.domain, userId: p.adminUserId });
    const api = appApi(stack, page.boot?.session ?? '');
    const list = await api('GET', '/activities');
    expect(list.json.activities.map((x: { id: number }) => x.id)).toContain(a.activityId);
    expect((await api('DELETE', `/activities/${a.activityId}`)).status).toBe(200);
    expect((await stack.emu.activities(p.memberId)).some((x) => x.id === a.activityId)).toBe(false);
    // Gone already: the portal's refusal as a 4xx with a readable message, never a 5xx.
    const again = await api('DELETE', `/activities/${a.activityId}`);
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.status).toBeLessThan(500);
    expect(again.json.error.message).toMatch(/crm\.activity\.delete/);
  });
});
