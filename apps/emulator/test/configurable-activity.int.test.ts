import { SAMPLE_ADD_FIELDS, sampleApprovalLayout, SEED_LAYOUTS } from '@b24app/layout/seed-examples';
import { beforeEach, describe, expect, it } from 'vitest';
import { rest, useEmulator } from './helpers.js';

/** the "Structure of Configurable Activity" example */
const seedLayout = SEED_LAYOUTS.structureExample;
const env = useEmulator({ portal: true, deal: 'Deal 15' });

function add(params: Record<string, unknown>, token = env.p.token) {
  return rest(env.p.clientEndpoint, 'crm.activity.configurable.add', params, token);
}

describe('crm.activity.configurable.add / get', () => {
  it('adds the seed example and returns it as stored: flags as booleans, actionParams as strings', async () => {
    const r = await add({ ownerTypeId: 2, ownerId: env.dealId, fields: SAMPLE_ADD_FIELDS, layout: seedLayout });
    expect(r.status).toBe(200);
    const id = (r.body.result as { activity: { id: number } }).activity.id;
    expect(typeof id).toBe('number');
    const got = await rest(env.p.clientEndpoint, 'crm.activity.configurable.get', { id }, env.p.token);
    const activity = (got.body.result as { activity: Record<string, unknown> }).activity;
    expect(activity).toMatchObject({
      id,
      ownerTypeId: 2,
      ownerId: env.dealId,
      fields: {
        typeId: 'CONFIGURABLE',
        completed: false,
        deadline: '2025-02-01T01:00:00+03:00',
        pingOffsets: [60, 300],
        isIncomingChannel: false,
        responsibleId: 1,
        badgeCode: '',
        originatorId: 'my-sys',
        originId: 'ext-42',
      },
    });
    const layout = activity.layout as typeof seedLayout;
    expect(layout.footer.menu.showPostponeItem).toBe(false);
    expect(layout.footer.buttons.startCall.action.actionParams.clientId).toBe('456');
    expect(layout.body.blocks.client.properties.title).toBe('Client');
  });

  it('defaults typeId, responsible (the caller) and nullable origins', async () => {
    const user = await env.emu.client.createUser(env.p.memberId, { name: 'Maria Manager' });
    const t = await env.emu.client.issueTokens(env.p.memberId, env.p.clientId, user.id);
    const r = await add({ ownerTypeId: 2, ownerId: env.dealId, fields: {}, layout: seedLayout }, t.access_token);
    const id = (r.body.result as { activity: { id: number } }).activity.id;
    const view = await env.emu.client.activity(env.p.memberId, id);
    expect(view.fields).toEqual({
      typeId: 'CONFIGURABLE',
      completed: false,
      deadline: null,
      pingOffsets: [],
      isIncomingChannel: false,
      responsibleId: user.id,
      badgeCode: '',
      originatorId: null,
      originId: null,
    });
  });

  it('accepts a form-encoded body (all strings) like a PHP client sends', async () => {
    const body = new URLSearchParams({
      auth: env.p.token,
      ownerTypeId: '2',
      ownerId: String(env.dealId),
      'fields[completed]': 'N',
      'layout[icon][code]': 'info',
      'layout[header][title]': 'Information Message',
      'layout[body][logo][code]': 'notification',
      'layout[body][blocks][text][type]': 'text',
      'layout[body][blocks][text][properties][value]': 'Lorem ipsum',
      'layout[body][blocks][text][properties][bold]': 'true',
    });
    const res = await fetch(`${env.p.clientEndpoint}crm.activity.configurable.add`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    expect(res.status).toBe(200);
  });

  it('answers the documented errors', async () => {
    const hook = await env.emu.client.createWebhook(env.p.memberId);
    const viaHook = await fetch(`${hook.url}crm.activity.configurable.add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ownerTypeId: 2, ownerId: env.dealId, fields: {}, layout: seedLayout }),
    });
    expect(viaHook.status).toBe(400);
    expect(await viaHook.json()).toEqual({
      error: 'ERROR_WRONG_CONTEXT',
      error_description: 'Method call is only possible in the context of an application',
    });

    const cases: [Record<string, unknown>, string][] = [
      [{ ownerId: env.dealId, fields: {}, layout: seedLayout }, '100'],
      [{ ownerTypeId: 2, ownerId: env.dealId, fields: {} }, 'ERROR_EMPTY_LAYOUT'],
      [{ ownerTypeId: 2, ownerId: env.dealId, fields: {}, layout: {} }, 'ERROR_EMPTY_LAYOUT'],
      [{ ownerTypeId: 2, ownerId: 999, fields: {}, layout: seedLayout }, 'ACCESS_DENIED'],
      [
        {
          ownerTypeId: 2,
          ownerId: env.dealId,
          fields: { isIncomingChannel: 'Y', deadline: '2025-02-01T01:00:00+03:00' },
          layout: seedLayout,
        },
        'INCOMING_ACTIVITY_CAN_NOT_BE_WITH_DEADLINE',
      ],
      [
        { ownerTypeId: 2, ownerId: env.dealId, fields: { completed: 'maybe' }, layout: seedLayout },
        'WRONG_FIELD_VALUE',
      ],
      [{ ownerTypeId: 2, ownerId: env.dealId, fields: { responsibleId: 0 }, layout: seedLayout }, 'WRONG_FIELD_VALUE'],
      [{ ownerTypeId: 2, ownerId: env.dealId, fields: { responsibleId: 77 }, layout: seedLayout }, 'WRONG_FIELD_VALUE'],
      [
        { ownerTypeId: 2, ownerId: env.dealId, fields: { badgeCode: 'unknown' }, layout: seedLayout },
        'WRONG_FIELD_VALUE',
      ],
      [
        { ownerTypeId: 2, ownerId: env.dealId, fields: { typeId: 'NOT_MINE' }, layout: seedLayout },
        'WRONG_FIELD_VALUE',
      ],
      [
        { ownerTypeId: 2, ownerId: env.dealId, fields: {}, layout: { ...seedLayout, icon: undefined } },
        'FIELD_IS_REQUIRED',
      ],
      [
        { ownerTypeId: 2, ownerId: env.dealId, fields: {}, layout: { ...seedLayout, icon: { code: 'no-such-icon' } } },
        'WRONG_FIELD_VALUE',
      ],
    ];
    for (const [params, code] of cases) {
      const r = await add(params);
      expect({ params, status: r.status, code: r.body.error }).toEqual({ params, status: 400, code });
    }
    const missing = await add({ ownerId: env.dealId, fields: {}, layout: seedLayout });
    expect(missing.body.error_description).toBe('Could not find value for parameter {ownerTypeId}');
  });

  it('rejects layouts breaking the DTO limits with the layout codes', async () => {
    const layout = sampleApprovalLayout();
    const threeButtons = {
      ...layout,
      footer: {
        buttons: {
          ...layout.footer.buttons,
          third: { title: 'X', type: 'primary', action: { type: 'redirect', uri: '/' } },
        },
      },
    };
    expect((await add({ ownerTypeId: 2, ownerId: env.dealId, fields: {}, layout: threeButtons })).body.error).toBe(
      'TOO_MANY_ITEMS',
    );
    const badKey = {
      ...layout,
      body: { ...layout.body, blocks: { 'bad key!': { type: 'text', properties: { value: 'x' } } } },
    };
    expect((await add({ ownerTypeId: 2, ownerId: env.dealId, fields: {}, layout: badKey })).body.error).toBe(
      'KEY_CONTAIN_WRONG_SYMBOLS',
    );
  });

  it('get: NOT_FOUND for unknown ids, ERROR_WRONG_CONTEXT for webhooks', async () => {
    expect(
      await rest(env.p.clientEndpoint, 'crm.activity.configurable.get', { id: 424242 }, env.p.token),
    ).toMatchObject({
      status: 400,
      body: { error: 'NOT_FOUND', error_description: 'Not found.' },
    });
    const hook = await env.emu.client.createWebhook(env.p.memberId);
    expect((await (await fetch(`${hook.url}crm.activity.configurable.get?id=1001`)).json()) as object).toMatchObject({
      error: 'ERROR_WRONG_CONTEXT',
    });
  });

  it('accepts a typeId the same app registered as configurable, not another app’s', async () => {
    const typeAdd = await rest(
      env.p.clientEndpoint,
      'crm.activity.type.add',
      { fields: { TYPE_ID: 'APPROVAL', NAME: 'Approval', IS_CONFIGURABLE_TYPE: 'Y' } },
      env.p.token,
    );
    expect(typeAdd.body.result).toBe(true);
    expect(
      (await add({ ownerTypeId: 2, ownerId: env.dealId, fields: { typeId: 'APPROVAL' }, layout: seedLayout })).status,
    ).toBe(200);
    const other = await env.emu.client.registerApp({ installUrl: `${env.receiver.url}/other`, withUi: false });
    await env.emu.client.installApp(env.p.memberId, other.clientId);
    const ot = await env.emu.client.issueTokens(env.p.memberId, other.clientId);
    expect(
      (
        await add(
          { ownerTypeId: 2, ownerId: env.dealId, fields: { typeId: 'APPROVAL' }, layout: seedLayout },
          ot.access_token,
        )
      ).body.error,
    ).toBe('WRONG_FIELD_VALUE');
  });
});

describe('crm.activity.configurable.update', () => {
  let id: number;
  beforeEach(async () => {
    const r = await add({
      ownerTypeId: 2,
      ownerId: env.dealId,
      fields: SAMPLE_ADD_FIELDS,
      layout: sampleApprovalLayout(),
    });
    id = (r.body.result as { activity: { id: number } }).activity.id;
  });

  it('replaces the layout, merges fields and counts updates', async () => {
    const r = await rest(
      env.p.clientEndpoint,
      'crm.activity.configurable.update',
      { id, fields: { completed: true }, layout: sampleApprovalLayout({ tag: 'success' }) },
      env.p.token,
    );
    expect(r.body.result).toEqual({ activity: { id } });
    const view = await env.emu.client.activity(env.p.memberId, id);
    expect(view.updates).toBe(1);
    expect(view.fields).toMatchObject({ completed: true, originId: 'ext-42', deadline: '2025-02-01T01:00:00+03:00' });
    expect(view.layout.header.tags?.state?.type).toBe('success');
  });

  it('answers ERROR_WRONG_APPLICATION to another app, NOT_FOUND, 100, ERROR_EMPTY_LAYOUT, INCOMING… on merged fields', async () => {
    const other = await env.emu.client.registerApp({ installUrl: `${env.receiver.url}/other`, withUi: false });
    await env.emu.client.installApp(env.p.memberId, other.clientId);
    const ot = await env.emu.client.issueTokens(env.p.memberId, other.clientId);
    expect(
      await rest(
        env.p.clientEndpoint,
        'crm.activity.configurable.update',
        { id, layout: sampleApprovalLayout() },
        ot.access_token,
      ),
    ).toMatchObject({
      status: 400,
      body: { error: 'ERROR_WRONG_APPLICATION' },
    });
    const codes = await Promise.all([
      rest(
        env.p.clientEndpoint,
        'crm.activity.configurable.update',
        { id: 999999, layout: sampleApprovalLayout() },
        env.p.token,
      ),
      rest(env.p.clientEndpoint, 'crm.activity.configurable.update', { layout: sampleApprovalLayout() }, env.p.token),
      rest(env.p.clientEndpoint, 'crm.activity.configurable.update', { id, fields: {}, layout: {} }, env.p.token),
      rest(
        env.p.clientEndpoint,
        'crm.activity.configurable.update',
        { id, fields: { isIncomingChannel: true }, layout: sampleApprovalLayout() },
        env.p.token,
      ),
    ]);
    expect(codes.map((c) => c.body.error)).toEqual([
      'NOT_FOUND',
      '100',
      'ERROR_EMPTY_LAYOUT',
      'INCOMING_ACTIVITY_CAN_NOT_BE_WITH_DEADLINE',
    ]);
    expect((await env.emu.client.activity(env.p.memberId, id)).updates).toBe(0);
  });

  it('requires fields and layout as the seed marks them; the switch keeps the stored ones instead', async () => {
    const update = (params: Record<string, unknown>) =>
      rest(env.p.clientEndpoint, 'crm.activity.configurable.update', { id, ...params }, env.p.token);
    expect(await update({ layout: sampleApprovalLayout() })).toMatchObject({
      status: 400,
      body: { error: '100', error_description: 'Could not find value for parameter {fields}' },
    });
    expect(await update({ fields: { completed: true } })).toMatchObject({
      status: 400,
      body: { error: 'ERROR_EMPTY_LAYOUT' },
    });
    expect((await env.emu.client.activity(env.p.memberId, id)).updates).toBe(0);
    // an empty fields object is a value: nothing changes but the layout
    expect((await update({ fields: {}, layout: sampleApprovalLayout({ tag: 'success' }) })).status).toBe(200);

    await env.emu.client.setSettings({ partialConfigurableUpdate: true });
    expect((await update({ fields: { completed: true } })).status).toBe(200);
    const view = await env.emu.client.activity(env.p.memberId, id);
    expect(view).toMatchObject({ updates: 2, fields: { completed: true, originId: 'ext-42' } });
    expect(view.layout.header.tags?.state?.type).toBe('success');
  });
});

describe('crm.activity.list / delete', () => {
  it('lists configurable activities of an owner in pages of 50 with next/total, UPPER_CASE rows', async () => {
    await env.emu.client.setLimits(env.p.memberId, { burst: 500 });
    const other = (await env.emu.client.createCrmItem(env.p.memberId, { entityTypeId: 2, title: 'Other deal' })).id;
    for (let i = 0; i < 51; i++)
      await add({ ownerTypeId: 2, ownerId: env.dealId, fields: { originId: `ext-${i}` }, layout: seedLayout });
    await add({ ownerTypeId: 2, ownerId: other, fields: {}, layout: seedLayout });
    const filter = { PROVIDER_ID: 'CONFIGURABLE_REST_APP', OWNER_TYPE_ID: 2, OWNER_ID: env.dealId };
    const first = await rest(
      env.p.clientEndpoint,
      'crm.activity.list',
      { filter, select: ['*'], order: { ID: 'DESC' }, start: 0 },
      env.p.token,
    );
    expect(first.body).toMatchObject({ next: 50, total: 51 });
    const rows = first.body.result as Record<string, unknown>[];
    expect(rows).toHaveLength(50);
    expect(rows[0]).toMatchObject({
      OWNER_ID: String(env.dealId),
      OWNER_TYPE_ID: '2',
      PROVIDER_ID: 'CONFIGURABLE_REST_APP',
      PROVIDER_TYPE_ID: 'CONFIGURABLE',
      SUBJECT: 'Incoming Call',
      COMPLETED: 'N',
      RESPONSIBLE_ID: '1',
      ORIGIN_ID: 'ext-50',
      PROVIDER_PARAMS: { clientId: env.p.clientId, badgeCode: '' },
    });
    expect(JSON.parse(String(rows[0]?.PROVIDER_DATA))).toMatchObject({ icon: { code: 'call-completed' } });
    expect(Number(rows[0]?.ID)).toBeGreaterThan(Number(rows[1]?.ID));
    const second = await rest(env.p.clientEndpoint, 'crm.activity.list', { filter, start: 50 }, env.p.token);
    expect(second.body.result).toHaveLength(1);
    expect(second.body.next).toBeUndefined();
    const selected = await rest(
      env.p.clientEndpoint,
      'crm.activity.list',
      { filter: { OWNER_ID: other }, select: ['SUBJECT'] },
      env.p.token,
    );
    expect(Object.keys((selected.body.result as object[])[0] ?? {})).toEqual(['ID', 'SUBJECT']);
  });

  it('deletes, then answers the documented not-found error', async () => {
    const r = await add({ ownerTypeId: 2, ownerId: env.dealId, fields: {}, layout: seedLayout });
    const id = (r.body.result as { activity: { id: number } }).activity.id;
    expect((await rest(env.p.clientEndpoint, 'crm.activity.delete', { id }, env.p.token)).body.result).toBe(true);
    expect(await rest(env.p.clientEndpoint, 'crm.activity.delete', { id }, env.p.token)).toMatchObject({
      status: 400,
      body: { error: '', error_description: 'Activity is not found.' },
    });
    expect((await rest(env.p.clientEndpoint, 'crm.activity.configurable.get', { id }, env.p.token)).body.error).toBe(
      'NOT_FOUND',
    );
  });
});

describe('crm.activity.type.*', () => {
  it('adds, lists (own types only) and deletes; admin and app context required', async () => {
    const fields = { TYPE_ID: '1C', NAME: '1C case', IS_CONFIGURABLE_TYPE: 'Y' };
    expect((await rest(env.p.clientEndpoint, 'crm.activity.type.add', { fields }, env.p.token)).body.result).toBe(true);
    expect((await rest(env.p.clientEndpoint, 'crm.activity.type.add', { fields }, env.p.token)).body.error).toBe(
      'INVALID_ARG_VALUE',
    );
    expect(
      (await rest(env.p.clientEndpoint, 'crm.activity.type.add', { fields: { NAME: 'x' } }, env.p.token)).body.error,
    ).toBe('INVALID_ARG_VALUE');
    expect((await rest(env.p.clientEndpoint, 'crm.activity.type.list', {}, env.p.token)).body.result).toEqual([
      { TYPE_ID: '1C', NAME: '1C case', IS_CONFIGURABLE_TYPE: 'Y', ICON_ID: '0' },
    ]);
    const user = await env.emu.client.createUser(env.p.memberId, { name: 'Simple User' });
    const t = await env.emu.client.issueTokens(env.p.memberId, env.p.clientId, user.id);
    expect(
      await rest(
        env.p.clientEndpoint,
        'crm.activity.type.add',
        { fields: { TYPE_ID: 'X', NAME: 'X' } },
        t.access_token,
      ),
    ).toMatchObject({
      status: 403,
      body: { error: 'ACCESS_DENIED', error_description: 'Admin permissions required' },
    });
    const hook = await env.emu.client.createWebhook(env.p.memberId);
    const viaHook = await fetch(`${hook.url}crm.activity.type.list`);
    expect(viaHook.status).toBe(403);
    expect(
      (await rest(env.p.clientEndpoint, 'crm.activity.type.delete', { TYPE_ID: '1C' }, env.p.token)).body.result,
    ).toBe(true);
    expect(
      (await rest(env.p.clientEndpoint, 'crm.activity.type.delete', { TYPE_ID: '1C' }, env.p.token)).body.error,
    ).toBe('INVALID_ARG_VALUE');
  });
});

describe('crm.activity.badge.*', () => {
  const badge = { code: 'missedCall', title: 'Call Status', value: 'Missed', type: 'failure' };

  it('adds, gets, lists and deletes like the seed examples', async () => {
    expect((await rest(env.p.clientEndpoint, 'crm.activity.badge.add', badge, env.p.token)).body.result).toEqual({
      badge,
    });
    expect(
      (await rest(env.p.clientEndpoint, 'crm.activity.badge.get', { code: 'missedCall' }, env.p.token)).body.result,
    ).toEqual({ badge });
    const multi = { code: 'alarm', title: { de: 'Achtung', en: 'Alarm' }, value: { en: 'Now' }, type: 'warning' };
    await rest(env.p.clientEndpoint, 'crm.activity.badge.add', multi, env.p.token);
    expect((await rest(env.p.clientEndpoint, 'crm.activity.badge.list', {}, env.p.token)).body.result).toEqual({
      badges: [badge, multi],
    });
    expect(
      (await rest(env.p.clientEndpoint, 'crm.activity.badge.delete', { code: 'missedCall' }, env.p.token)).body.result,
    ).toBe(true);
    expect(
      await rest(env.p.clientEndpoint, 'crm.activity.badge.get', { code: 'missedCall' }, env.p.token),
    ).toMatchObject({
      status: 400,
      body: { error: 'NOT_FOUND', error_description: 'Not found.' },
    });
    expect(
      (await rest(env.p.clientEndpoint, 'crm.activity.badge.delete', { code: 'missedCall' }, env.p.token)).body.error,
    ).toBe('NOT_FOUND');
  });

  it('answers ACCESS_DENIED to non-admins on add/delete, REQUIRED_ARG_MISSING, and validates the type', async () => {
    const user = await env.emu.client.createUser(env.p.memberId, { name: 'Simple User' });
    const t = await env.emu.client.issueTokens(env.p.memberId, env.p.clientId, user.id);
    expect((await rest(env.p.clientEndpoint, 'crm.activity.badge.add', badge, t.access_token)).body.error).toBe(
      'ACCESS_DENIED',
    );
    await rest(env.p.clientEndpoint, 'crm.activity.badge.add', badge, env.p.token);
    expect(
      (await rest(env.p.clientEndpoint, 'crm.activity.badge.delete', { code: 'missedCall' }, t.access_token)).body
        .error,
    ).toBe('ACCESS_DENIED');
    expect(
      (await rest(env.p.clientEndpoint, 'crm.activity.badge.get', { code: 'missedCall' }, t.access_token)).status,
    ).toBe(200);
    expect(
      (await rest(env.p.clientEndpoint, 'crm.activity.badge.add', { ...badge, value: undefined }, env.p.token)).body,
    ).toMatchObject({
      error: 'REQUIRED_ARG_MISSING',
    });
    expect((await rest(env.p.clientEndpoint, 'crm.activity.badge.get', {}, env.p.token)).body.error).toBe(
      'REQUIRED_ARG_MISSING',
    );
    expect(
      (await rest(env.p.clientEndpoint, 'crm.activity.badge.add', { ...badge, type: 'pink' }, env.p.token)).body.error,
    ).toBe('WRONG_FIELD_VALUE');
  });

  it('a registered badge can be used as badgeCode', async () => {
    await rest(env.p.clientEndpoint, 'crm.activity.badge.add', badge, env.p.token);
    expect(
      (await add({ ownerTypeId: 2, ownerId: env.dealId, fields: { badgeCode: 'missedCall' }, layout: seedLayout }))
        .status,
    ).toBe(200);
  });
});

describe('timeline catalogs and CRM items', () => {
  it('lists the system icons and logos', async () => {
    const icons = await rest(env.p.clientEndpoint, 'crm.timeline.icon.list', {}, env.p.token);
    const list = (icons.body.result as { icons: { code: string; isSystem: boolean; fileUri: string }[] }).icons;
    expect(list).toContainEqual({ code: 'call', isSystem: true, fileUri: '' });
    expect(icons.body.total).toBe(list.length);
    const logos = await rest(env.p.clientEndpoint, 'crm.timeline.logo.list', {}, env.p.token);
    const codes = (logos.body.result as { logos: { code: string }[] }).logos.map((l) => l.code);
    expect(codes).toContain('notification');
    expect(list.map((i) => i.code)).not.toContain('notification');
  });

  it('serves deals, leads and contacts', async () => {
    const lead = await env.emu.client.createCrmItem(env.p.memberId, { entityTypeId: 1, title: 'Lead A' });
    expect(
      (await rest(env.p.clientEndpoint, 'crm.deal.get', { id: env.dealId }, env.p.token)).body.result,
    ).toMatchObject({
      ID: String(env.dealId),
      TITLE: 'Deal 15',
    });
    expect((await rest(env.p.clientEndpoint, 'crm.lead.list', {}, env.p.token)).body).toMatchObject({
      total: 1,
      result: [{ ID: String(lead.id), TITLE: 'Lead A' }],
    });
    expect(
      (await rest(env.p.clientEndpoint, 'crm.item.get', { entityTypeId: 2, id: env.dealId }, env.p.token)).body.result,
    ).toMatchObject({
      item: { id: env.dealId, title: 'Deal 15', entityTypeId: 2 },
    });
    expect(
      (await rest(env.p.clientEndpoint, 'crm.item.get', { entityTypeId: 3, id: 99 }, env.p.token)).body.error,
    ).toBe('NOT_FOUND');
  });
});
