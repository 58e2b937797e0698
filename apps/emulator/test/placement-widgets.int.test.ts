import { describe, expect, it } from 'vitest';
import { portalWithApp, rest, useEmulator } from './helpers.js';

// What a CRM item's card offers an app beyond REST: its CRM_XXX_DETAIL_ACTIVITY placements in the menu above the
// timeline (opening the handler with that placement's frame POST), the user search an app's user picker uses,
// the portal's smart processes, and the activity's responsible user, deadline and reminders on the card.

const env = useEmulator({ resetReceiver: true });
const SCOPE = 'crm,placement,user_brief';

async function setup() {
  const p = await portalWithApp(env.emu, env.receiver, { scope: SCOPE });
  const deal = await env.emu.client.createCrmItem(p.memberId, { entityTypeId: 2, title: 'Deal' });
  const lead = await env.emu.client.createCrmItem(p.memberId, { entityTypeId: 1, title: 'Lead' });
  return { ...p, dealId: deal.id, leadId: lead.id };
}

const page = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, html: await res.text() };
};

describe('CRM_XXX_DETAIL_ACTIVITY in the item’s timeline menu', () => {
  it('lists the app’s placement of that item type with its title in the viewer’s language', async () => {
    const p = await setup();
    const bind = (placement: string, title: string) =>
      rest(
        p.clientEndpoint,
        'placement.bind',
        {
          PLACEMENT: placement,
          HANDLER: `${env.receiver.url}/placement/request`,
          TITLE: title,
          LANG_ALL: { ru: { TITLE: `${title} (ru)` } },
        },
        p.token,
      );
    expect((await bind('CRM_DEAL_DETAIL_ACTIVITY', 'Request approval')).body.result).toBe(true);
    expect((await bind('CRM_LEAD_DETAIL_ACTIVITY', 'Lead approval')).body.result).toBe(true);
    const base = `${env.emu.url}/ui/portals/${p.memberId}`;

    const dealPage = await page(`${base}/crm/2/${p.dealId}?user=1&lang=en`);
    const menu = /<nav class="timeline-menu"[\s\S]*?<\/nav>/.exec(dealPage.html)?.[0] ?? '';
    expect(menu).toContain('Request approval');
    expect(menu).toContain('data-open-rest-app');
    expect(menu).not.toContain('Lead approval');
    expect((await page(`${base}/crm/2/${p.dealId}?user=1&lang=ru`)).html).toContain('Request approval (ru)');
    expect((await page(`${base}/crm/1/${p.leadId}?user=1&lang=en`)).html).toContain('Lead approval');

    // The link opens the handler with the placement's frame POST: PLACEMENT and PLACEMENT_OPTIONS {"ID": "<id>"}.
    const href = /href="([^"]+)" data-open-rest-app/.exec(menu)?.[1]?.replace(/&amp;/g, '&') ?? '';
    const frame = await page(`${env.emu.url}${href}&embed=1`);
    expect(frame.status).toBe(200);
    const input = (name: string) =>
      new RegExp(`name="${name}" value="([^"]*)"`).exec(frame.html)?.[1]?.replace(/&quot;/g, '"');
    expect(input('PLACEMENT')).toBe('CRM_DEAL_DETAIL_ACTIVITY');
    expect(input('PLACEMENT_OPTIONS')).toBe(JSON.stringify({ ID: String(p.dealId) }));
    expect(frame.html).toContain(`action="${env.receiver.url}/placement/request?DOMAIN=`);
    // AUTH_ID is the viewer's own token: the portal answers `profile` with that user.
    const profile = await rest(p.clientEndpoint, 'profile', {}, input('AUTH_ID'));
    expect((profile.body.result as { ID: string }).ID).toBe('1');

    // Another item type, or an unknown item, is not this placement's.
    const wrong = href
      .replace('entityTypeId=2', 'entityTypeId=1')
      .replace(`entityId=${p.dealId}`, `entityId=${p.leadId}`);
    expect((await page(`${env.emu.url}${wrong}`)).status).toBe(404);

    // Uninstalled: the app's placements are gone from the menu.
    await env.emu.client.uninstallApp(p.memberId, p.clientId);
    expect((await page(`${base}/crm/2/${p.dealId}?user=1&lang=en`)).html).not.toContain('Request approval');
  });
});

describe('user.search and crm.type.list', () => {
  it('user.search FIND matches the beginning of a first or last name', async () => {
    const p = await setup();
    await env.emu.client.createUser(p.memberId, { name: 'Anna Approver' });
    await env.emu.client.createUser(p.memberId, { name: 'Boris Annenkov' });
    await env.emu.client.createUser(p.memberId, { name: 'Carl Other' });
    const find = async (filter: Record<string, unknown>) =>
      (
        (await rest(p.clientEndpoint, 'user.search', { FILTER: filter }, p.token)).body.result as { NAME: string }[]
      ).map((u) => u.NAME);
    expect(await find({ FIND: 'ann' })).toEqual(['Anna', 'Boris']);
    expect(await find({ FIND: 'Carl O' })).toEqual(['Carl']);
    expect(await find({ LAST_NAME: 'Appr' })).toEqual(['Anna']);
    expect(await find({ FIND: 'zzz' })).toEqual([]);
  });

  it('crm.type.list answers the portal’s smart processes (entityTypeId 128, 130, …) to CRM administrators', async () => {
    const p = await setup();
    expect((await rest(p.clientEndpoint, 'crm.type.list', {}, p.token)).body).toMatchObject({
      result: { types: [] },
      total: 0,
    });
    await env.emu.client.createCrmType(p.memberId, { title: 'Contracts' });
    await env.emu.client.createCrmType(p.memberId, { title: 'Purchases' });
    const listed = await rest(p.clientEndpoint, 'crm.type.list', {}, p.token);
    expect((listed.body.result as { types: { entityTypeId: number; title: string }[] }).types).toEqual([
      expect.objectContaining({ id: 1, entityTypeId: 128, title: 'Contracts' }),
      expect.objectContaining({ id: 2, entityTypeId: 130, title: 'Purchases' }),
    ]);
    const user = await env.emu.client.createUser(p.memberId, { name: 'Olga Operator' });
    const ut = await env.emu.client.issueTokens(p.memberId, p.clientId, user.id);
    expect((await rest(p.clientEndpoint, 'crm.type.list', {}, ut.access_token)).body.error).toBe('ACCESS_DENIED');
    // Their detail placements can be bound.
    expect(
      (
        await rest(
          p.clientEndpoint,
          'placement.bind',
          { PLACEMENT: 'CRM_DYNAMIC_128_DETAIL_ACTIVITY', HANDLER: `${env.receiver.url}/p` },
          p.token,
        )
      ).body.result,
    ).toBe(true);
  });
});

describe('the activity’s responsible user, deadline and reminders', () => {
  it('configurable add/update store them (update keeps what it does not send) and the card shows them', async () => {
    const p = await setup();
    const approver = await env.emu.client.createUser(p.memberId, { name: 'Anna Approver' });
    const layout = {
      icon: { code: 'info' },
      header: { title: 'Approve?' },
      body: { logo: { code: 'notification' }, blocks: { t: { type: 'text', properties: { value: 'x' } } } },
    };
    const deadline = '2030-01-01T10:00:00+00:00';
    const added = await rest(
      p.clientEndpoint,
      'crm.activity.configurable.add',
      {
        ownerTypeId: 2,
        ownerId: p.dealId,
        fields: { completed: false, responsibleId: approver.id, deadline, pingOffsets: [60, 0, 60] },
        layout,
      },
      p.token,
    );
    const id = (added.body.result as { activity: { id: number } }).activity.id;
    expect((await env.emu.client.activity(p.memberId, id)).fields).toMatchObject({
      responsibleId: approver.id,
      deadline,
      pingOffsets: [60, 0],
    });
    const card = await page(`${env.emu.url}/ui/portals/${p.memberId}/crm/2/${p.dealId}?user=1`);
    expect(card.html).toContain('Responsible: Anna Approver');
    expect(card.html).toContain('Reminders: at the deadline, 1 h before');

    // An unknown responsible user is refused as the portal does.
    const bad = await rest(
      p.clientEndpoint,
      'crm.activity.configurable.update',
      { id, fields: { responsibleId: 999 }, layout },
      p.token,
    );
    expect(bad.body.error).toBe('WRONG_FIELD_VALUE');
    // Completing it: the reminders stop showing; what the update does not send is kept.
    await rest(
      p.clientEndpoint,
      'crm.activity.configurable.update',
      { id, fields: { completed: true }, layout },
      p.token,
    );
    expect((await env.emu.client.activity(p.memberId, id)).fields).toMatchObject({
      completed: true,
      responsibleId: approver.id,
      pingOffsets: [60, 0],
    });
    const done = await page(`${env.emu.url}/ui/portals/${p.memberId}/crm/2/${p.dealId}?user=1`);
    expect(done.html).not.toContain('Reminders');
  });
});
