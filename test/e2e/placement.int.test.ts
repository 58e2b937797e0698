import { encodePhpForm, type IssuedTokens } from '@b24app/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appApi, openAppPage } from '../support/app-page.js';
import { createApproval, getApproval, restEventIds } from '../support/approvals.js';
import { reinstallFromPage } from '../support/reinstall.js';
import { type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

// "Request approval" on a CRM item (issue 12): the CRM_XXX_DETAIL_ACTIVITY placements bound at install and
// reconciled on reinstall and ONAPPUPDATE, the handler's frame verification, the request form's API, and the
// decisions made on the app page (a reject with its comment) going through the click path.

const HANDLER_PATH = '/b24/placement/request-approval';
const STATIC = [
  'CRM_COMPANY_DETAIL_ACTIVITY',
  'CRM_CONTACT_DETAIL_ACTIVITY',
  'CRM_DEAL_DETAIL_ACTIVITY',
  'CRM_LEAD_DETAIL_ACTIVITY',
];

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: true });
});
afterAll(async () => {
  await stack?.close();
});

const ourPlacements = async (memberId: string) =>
  (await stack.emu.placements(memberId)).filter((b) => b.clientId === stack.clientId);
const codes = async (memberId: string) => (await ourPlacements(memberId)).map((b) => b.placement).sort();

/** A REST call with the app's own tokens of the portal admin. */
async function appRest(memberId: string, method: string, params: Record<string, unknown>) {
  const t = await stack.emu.issueTokens(memberId, stack.clientId);
  const res = await fetch(`${t.client_endpoint}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: t.access_token, ...params }),
  });
  return (await res.json()) as { result?: unknown; error?: string };
}

const installAuth = (t: IssuedTokens, domain: string, applicationToken: string) => ({
  access_token: t.access_token,
  expires: String(t.expires),
  expires_in: '3600',
  scope: t.scope,
  domain,
  server_endpoint: t.server_endpoint,
  status: t.status,
  client_endpoint: t.client_endpoint,
  member_id: t.member_id,
  user_id: String(t.user_id),
  refresh_token: t.refresh_token,
  application_token: applicationToken,
});

describe('the placement is bound and reconciled like the event handlers', () => {
  it('install binds Request approval for leads, deals, contacts and companies, once each, in en and ru', async () => {
    const p = await stack.installedPortal();
    const bound = await ourPlacements(p.memberId);
    expect(bound.map((b) => b.placement).sort()).toEqual(STATIC);
    for (const b of bound) {
      expect(b).toMatchObject({ handler: `${stack.serverUrl}${HANDLER_PATH}`, title: 'Request approval' });
      expect(b.langAll).toMatchObject({ ru: { TITLE: 'Запросить согласование' } });
    }
  });

  it('reinstall and ONAPPUPDATE add smart processes, fix what changed, drop what is obsolete, never duplicate', async () => {
    const p = await stack.installedPortal();
    await stack.emu.createCrmType(p.memberId, { title: 'Contracts' });
    expect(await reinstallFromPage(stack, p)).toBe(200);
    expect(await codes(p.memberId)).toEqual([...STATIC, 'CRM_DYNAMIC_128_DETAIL_ACTIVITY'].sort());
    expect(await reinstallFromPage(stack, p)).toBe(200);
    expect(await codes(p.memberId)).toEqual([...STATIC, 'CRM_DYNAMIC_128_DETAIL_ACTIVITY'].sort());

    // A handler of an old deploy, a renamed item and a placement of another feature of ours.
    const stale = `${stack.serverUrl}/b24/old-placement`;
    expect(
      (await appRest(p.memberId, 'placement.bind', { PLACEMENT: 'CRM_DEAL_DETAIL_ACTIVITY', HANDLER: stale })).result,
    ).toBe(true);
    await appRest(p.memberId, 'placement.unbind', { PLACEMENT: 'CRM_LEAD_DETAIL_ACTIVITY' });
    await appRest(p.memberId, 'placement.bind', {
      PLACEMENT: 'CRM_LEAD_DETAIL_ACTIVITY',
      HANDLER: `${stack.serverUrl}${HANDLER_PATH}`,
      TITLE: 'Ask for approval',
    });
    const tab = { PLACEMENT: 'CRM_DEAL_DETAIL_TAB', HANDLER: `${stack.serverUrl}/b24/tab`, TITLE: 'Tab' };
    expect((await appRest(p.memberId, 'placement.bind', tab)).result).toBe(true);

    const t = await stack.emu.issueTokens(p.memberId, stack.clientId, p.adminUserId);
    const update = await fetch(`${stack.serverUrl}/b24/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: encodePhpForm({
        event: 'ONAPPUPDATE',
        data: { VERSION: '2', PREVIOUS_VERSION: '1', LANGUAGE_ID: 'en' },
        ts: String(Math.floor(Date.now() / 1000)),
        auth: installAuth(t, p.domain, p.applicationToken),
      }),
    });
    expect(update.status).toBe(200);
    const after = await ourPlacements(p.memberId);
    expect(after.map((b) => b.placement).sort()).toEqual(
      ['CRM_DEAL_DETAIL_TAB', ...STATIC, 'CRM_DYNAMIC_128_DETAIL_ACTIVITY'].sort(),
    );
    expect(after.some((b) => b.handler === stale)).toBe(false);
    expect(after.find((b) => b.placement === 'CRM_LEAD_DETAIL_ACTIVITY')?.title).toBe('Request approval');

    // Uninstall leaves nothing of ours in the portal.
    await stack.emu.uninstallApp(p.memberId, stack.clientId);
    expect(await ourPlacements(p.memberId)).toEqual([]);
  });
});

describe('the placement handler: who may open it', () => {
  let p: InstalledPortal;
  let other: InstalledPortal;
  beforeAll(async () => {
    p = await stack.installedPortal();
    other = await stack.installedPortal();
  });
  const open = (o: Partial<Parameters<typeof openAppPage>[1]> & { memberId?: string; domain?: string } = {}) =>
    openAppPage(stack, {
      memberId: p.memberId,
      domain: p.domain,
      userId: p.adminUserId,
      path: HANDLER_PATH,
      placement: 'CRM_DEAL_DETAIL_ACTIVITY',
      placementOptions: { ID: String(p.dealId) },
      ...o,
    });

  it('a genuine frame opens the request form for that item, as its user', async () => {
    const page = await open();
    expect(page.status).toBe(200);
    expect(page.boot?.view).toEqual({ name: 'request', ownerTypeId: 2, ownerId: p.dealId });
    expect(page.boot?.placement).toBe('CRM_DEAL_DETAIL_ACTIVITY');
    expect(page.boot?.user.id).toBe(p.adminUserId);
    expect(page.html).not.toContain(page.accessToken);
    // A smart process's placement names its type.
    const smart = await open({ placement: 'CRM_DYNAMIC_128_DETAIL_ACTIVITY', placementOptions: { ID: '5' } });
    expect(smart.boot?.view).toEqual({ name: 'request', ownerTypeId: 128, ownerId: 5 });
  });

  it('a forged token, another portal’s token or domain, and a frame that is not this placement are refused', async () => {
    const forged = await open({ authId: 'f'.repeat(70) });
    expect(forged.status).toBe(401);
    expect(forged.boot).toBeNull();
    expect(forged.html).toContain('Access refused');

    const theirs = await stack.emu.issueTokens(other.memberId, stack.clientId, other.adminUserId);
    const crossed = await open({ authId: theirs.access_token });
    expect(crossed.status).toBe(401);
    expect(crossed.boot).toBeNull();
    // Their own member_id with our portal's DOMAIN: the stored portal's domain disagrees.
    const wrongDomain = await open({ memberId: other.memberId, authId: theirs.access_token });
    expect(wrongDomain.status).toBe(401);
    // An unknown portal.
    expect((await open({ memberId: 'a'.repeat(32), authId: theirs.access_token })).status).toBe(409);

    const bads: Partial<Parameters<typeof openAppPage>[1]>[] = [
      { placement: 'DEFAULT' },
      { placement: 'CRM_DEAL_DETAIL_TAB' },
      { placementOptions: {} },
      { placementOptions: { ID: 'x' } },
    ];
    for (const bad of bads) {
      const page = await open(bad);
      expect(page.status).toBe(400);
      expect(page.boot).toBeNull();
    }
  });
});

describe('the request form and the decisions made on the app page', () => {
  let p: InstalledPortal;
  let anna: number;
  let olga: number;
  beforeAll(async () => {
    p = await stack.installedPortal();
    anna = (await stack.emu.createUser(p.memberId, { name: 'Anna Approver' })).id;
    olga = (await stack.emu.createUser(p.memberId, { name: 'Olga Requester' })).id;
  });
  const sessionOf = async (userId: number, placementOptions: Record<string, string>, path?: string) => {
    const page = await openAppPage(stack, {
      memberId: p.memberId,
      domain: p.domain,
      userId,
      placementOptions,
      ...(path ? { path, placement: 'CRM_DEAL_DETAIL_ACTIVITY' } : {}),
    });
    expect(page.status).toBe(200);
    return appApi(stack, page.boot?.session ?? '');
  };

  it('the picker searches the portal’s users; invalid input gets one message per field; a valid one is created', async () => {
    const api = await sessionOf(olga, { ID: String(p.dealId) }, HANDLER_PATH);
    const found = await api('GET', '/users?q=ann');
    expect(found.status).toBe(200);
    expect(found.json.users).toEqual([{ id: anna, name: 'Anna Approver', position: null }]);
    expect((await api('GET', '/users')).json.users.length).toBeGreaterThanOrEqual(3);

    const bad = await api('POST', '/approvals', {
      ownerTypeId: 2,
      ownerId: p.dealId,
      title: '  ',
      deadline: '2001-01-01T00:00:00Z',
      requestId: crypto.randomUUID(),
    });
    expect(bad.status).toBe(400);
    const byField = Object.fromEntries(
      (bad.json.error.details as { path: string; message: string }[]).map((d) => [d.path, d.message]),
    );
    expect(byField).toEqual({
      title: 'Enter a title',
      responsibleId: 'Choose an approver',
      deadline: 'The deadline must be in the future',
    });
    const nobody = await api('POST', '/approvals', {
      ownerTypeId: 2,
      ownerId: p.dealId,
      title: 'x',
      responsibleId: 999,
      requestId: crypto.randomUUID(),
    });
    expect(nobody.status).toBe(400);
    expect(nobody.json.error.details).toEqual([expect.objectContaining({ path: 'responsibleId' })]);
    const missing = await api('POST', '/approvals', {
      ownerTypeId: 2,
      ownerId: 999_999,
      title: 'x',
      responsibleId: anna,
      requestId: crypto.randomUUID(),
    });
    expect(missing.status).toBe(404);

    const deadline = new Date(Date.now() + 86_400_000).toISOString();
    const body = {
      ownerTypeId: 2,
      ownerId: p.dealId,
      title: 'Discount 15%',
      description: 'For ACME',
      responsibleId: anna,
      deadline,
      requestId: crypto.randomUUID(),
    };
    const created = await api('POST', '/approvals', body);
    expect(created.status).toBe(201);
    const again = await api('POST', '/approvals', body);
    expect(again.json.approval.id).toBe(created.json.approval.id); // the same submit twice is one approval
    const row = await stack.db.approval.findUniqueOrThrow({ where: { id: created.json.approval.id } });
    expect(row).toMatchObject({ requesterId: olga, requesterName: 'Olga Requester', responsibleId: anna });
    const activity = await stack.emu.activity(p.memberId, row.activityId ?? 0);
    expect(activity.fields).toMatchObject({ responsibleId: anna, deadline: expect.any(String), pingOffsets: [0, 60] });
    expect(Date.parse(activity.fields.deadline ?? '')).toBe(Date.parse(deadline));
  });

  it('comment required: Reject opens the reject form; the comment is applied once by the worker and shown everywhere', async () => {
    // Drawn before the setting: its Reject is still a restEvent.
    const a = await createApproval(stack, {
      memberId: p.memberId,
      ownerId: p.dealId,
      title: 'Needs a reason',
      responsibleId: anna,
      deadline: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(restEventIds((await stack.emu.activity(p.memberId, a.activityId)).layout)).toEqual(['approve', 'reject']);
    const admin = await sessionOf(p.adminUserId, {});
    const saved = await admin('PUT', '/settings', {
      badgeCode: null,
      language: 'en',
      rejectCommentRequired: true,
      pingOffsets: [15, 0],
    });
    expect(saved.json.settings).toMatchObject({ rejectCommentRequired: true, pingOffsets: [0, 15] });

    // A new card carries the setting and the reminders from the start.
    const fresh = await createApproval(stack, {
      memberId: p.memberId,
      ownerId: p.dealId,
      title: 'Drawn after',
      responsibleId: anna,
      deadline: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const freshCard = await stack.emu.activity(p.memberId, fresh.activityId);
    expect(freshCard.fields.pingOffsets).toEqual([0, 15]);
    expect(restEventIds(freshCard.layout)).toEqual(['approve']);
    expect(freshCard.layout.footer?.buttons?.reject?.action).toMatchObject({
      type: 'openRestApp',
      actionParams: { approvalId: fresh.id, decide: 'reject' },
    });

    // The old card's restEvent Reject decides nothing; its rebuild offers the reject form.
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'reject', userId: anna });
    await waitFor(async () => (await getApproval(stack, a.id)).clicks.some((c) => c.outcome === 'comment_required'));
    expect((await getApproval(stack, a.id)).state).toBe('pending');
    await waitFor(async () => restEventIds((await stack.emu.activity(p.memberId, a.activityId)).layout).length === 1);
    const rebuilt = await stack.emu.activity(p.memberId, a.activityId);
    expect(JSON.stringify(rebuilt.layout)).toContain('A comment is required to reject');
    expect(rebuilt.locked).toBe(false);

    // The card's Reject: the details open (as the slider would) with decide=reject.
    const details = {
      approvalId: a.id,
      decide: 'reject',
      entityTypeId: '2',
      entityId: String(p.dealId),
      activityId: String(a.activityId),
    };
    const page = await openAppPage(stack, {
      memberId: p.memberId,
      domain: p.domain,
      userId: anna,
      placementOptions: details,
    });
    expect(page.boot?.view).toEqual({ name: 'details', approvalId: a.id, activityId: a.activityId, decide: 'reject' });
    const api = appApi(stack, page.boot?.session ?? '');
    const noComment = await api('POST', `/approvals/${a.id}/decision`, {
      decision: 'reject',
      requestId: crypto.randomUUID(),
    });
    expect(noComment.status).toBe(400);
    expect(noComment.json.error.details).toEqual([{ path: 'comment', message: 'A comment is required to reject' }]);

    const requestId = crypto.randomUUID();
    const sent = await api('POST', `/approvals/${a.id}/decision`, {
      decision: 'reject',
      comment: 'Margin too low',
      requestId,
    });
    expect(sent.status).toBe(202);
    const twice = await api('POST', `/approvals/${a.id}/decision`, {
      decision: 'reject',
      comment: 'Margin too low',
      requestId,
    });
    expect(twice.json.eventId).toBe(sent.json.eventId);
    await waitFor(async () => (await getApproval(stack, a.id)).state === 'rejected', 20_000);
    const got = (await getApproval(stack, a.id)) as Awaited<ReturnType<typeof getApproval>> & { comment: string };
    expect(got).toMatchObject({ state: 'rejected', decidedBy: { id: anna }, comment: 'Margin too low' });
    const click = await stack.db.timelineEvent.findUniqueOrThrow({ where: { id: sent.json.eventId } });
    expect(click).toMatchObject({ source: 'APP_PAGE', outcome: 'applied', state: 'DONE', userAuthEnc: null });
    const decided = await stack.emu.activity(p.memberId, a.activityId);
    expect(decided.fields).toMatchObject({ completed: true, pingOffsets: [] });
    expect(JSON.stringify(decided.layout.body.blocks)).toContain('Margin too low');
    const shown = await api('GET', `/approvals/${a.id}`);
    expect(shown.json).toMatchObject({ comment: 'Margin too low', state: 'rejected' });
    // Decided: a later decision is refused at once.
    expect(
      (await api('POST', `/approvals/${a.id}/decision`, { decision: 'approve', requestId: crypto.randomUUID() }))
        .status,
    ).toBe(409);
  });

  it('the page obeys the approver rule: someone else’s decision leaves it pending, with the note on the card', async () => {
    const a = await createApproval(stack, {
      memberId: p.memberId,
      ownerId: p.dealId,
      title: 'Not yours',
      responsibleId: anna,
    });
    const api = await sessionOf(olga, { approvalId: a.id });
    const sent = await api('POST', `/approvals/${a.id}/decision`, {
      decision: 'approve',
      comment: 'looks fine',
      requestId: crypto.randomUUID(),
    });
    expect(sent.status).toBe(202);
    await waitFor(async () => {
      const row = await stack.db.timelineEvent.findUnique({ where: { id: sent.json.eventId } });
      return row?.state === 'DONE';
    }, 20_000);
    const click = await stack.db.timelineEvent.findUniqueOrThrow({ where: { id: sent.json.eventId } });
    expect(click.outcome).toBe('not_approver');
    const row = await stack.db.approval.findUniqueOrThrow({ where: { id: a.id } });
    expect(row).toMatchObject({ state: 'PENDING', decisionComment: null });
    const card = await stack.emu.activity(p.memberId, a.activityId);
    expect(JSON.stringify(card.layout)).toContain('Only the approver');
    expect(restEventIds(card.layout)).toContain('approve');
  });
});
