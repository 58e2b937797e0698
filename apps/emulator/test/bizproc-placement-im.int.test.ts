import { describe, expect, it } from 'vitest';
import { type InstalledPortal, portalWithApp, rest, startReceiver, useEmulator } from './helpers.js';

// Automation rules (bizproc.robot.* and bizproc.event.send), placements and im notifications, with the control
// API that runs a robot on a CRM item and reads back what the app returned.

const env = useEmulator({ resetReceiver: true });
const SCOPE = 'crm,bizproc,placement,im,user_brief';

async function installed(o: { scope?: string } = {}): Promise<InstalledPortal & { dealId: number }> {
  const p = await portalWithApp(env.emu, env.receiver, { scope: o.scope ?? SCOPE });
  const deal = await env.emu.client.createCrmItem(p.memberId, { entityTypeId: 2, title: 'Deal' });
  return { ...p, dealId: deal.id };
}

const ROBOT = {
  CODE: 'request_approval',
  HANDLER: '', // set per test: the receiver's /robot
  AUTH_USER_ID: 1,
  USE_SUBSCRIPTION: 'Y',
  NAME: { en: 'Request approval', ru: 'Запросить согласование' },
  PROPERTIES: {
    title: { Name: { en: 'Title' }, Type: 'string', Required: 'Y' },
    approver: { Name: { en: 'Approver' }, Type: 'user', Required: 'Y' },
    deadline: { Name: { en: 'Deadline' }, Type: 'datetime' },
  },
  RETURN_PROPERTIES: {
    decision: { Name: 'Decision', Type: 'select', Options: { approved: 'Approved', rejected: 'Rejected' } },
    decidedBy: { Name: 'Decided by', Type: 'user' },
    comment: { Name: 'Comment', Type: 'text' },
  },
};

describe('bizproc.robot.*', () => {
  it('adds, lists, updates and deletes an app’s robots, refusing duplicates and bad input as Bitrix24 does', async () => {
    const p = await installed();
    const robot = { ...ROBOT, HANDLER: `${env.receiver.url}/robot` };
    const call = (method: string, params: Record<string, unknown>, token = p.token) =>
      rest(p.clientEndpoint, method, params, token);
    expect(await call('bizproc.robot.add', robot)).toMatchObject({ status: 200, body: { result: true } });
    expect((await call('bizproc.robot.add', robot)).body.error).toBe('ERROR_ACTIVITY_ALREADY_INSTALLED');
    expect((await call('bizproc.robot.list', {})).body.result).toEqual(['request_approval']);
    const bad = [
      [{ ...robot, CODE: 'bad code!' }, 'Wrong activity code!'],
      [{ ...robot, CODE: 'x', NAME: '' }, 'Empty activity NAME!'],
      [{ ...robot, CODE: 'y', PROPERTIES: { '1st': { Name: 'n' } } }, 'Wrong property key 1st!'],
      [{ ...robot, CODE: 'z', PROPERTIES: { t: { Type: 'string' } } }, 'Empty property NAME t!'],
    ] as const;
    for (const [params, why] of bad) {
      expect(await call('bizproc.robot.add', params)).toMatchObject({
        status: 400,
        body: { error: 'ERROR_ACTIVITY_VALIDATION_FAILURE', error_description: why },
      });
    }
    expect(
      (await call('bizproc.robot.add', { ...robot, CODE: 'w', HANDLER: 'http://other.example/x' })).body.error,
    ).toBe('ERROR_WRONG_HANDLER_URL');

    expect(
      (await call('bizproc.robot.update', { CODE: 'request_approval', FIELDS: { NAME: 'Approve' } })).body,
    ).toEqual(expect.objectContaining({ result: true }));
    const [stored] = await env.emu.client.robots(p.memberId);
    expect(stored).toMatchObject({ name: 'Approve', useSubscription: true, handler: robot.HANDLER });
    expect(Object.keys(stored?.properties ?? {})).toEqual(['title', 'approver', 'deadline']);
    expect((await call('bizproc.robot.update', { CODE: 'nope', FIELDS: { NAME: 'x' } })).body.error).toBe(
      'ERROR_ACTIVITY_NOT_FOUND',
    );

    // administrators only
    const user = await env.emu.client.createUser(p.memberId, { name: 'Olga Operator' });
    const ut = await env.emu.client.issueTokens(p.memberId, p.clientId, user.id);
    expect(await call('bizproc.robot.list', {}, ut.access_token)).toMatchObject({
      status: 400,
      body: { error: 'ACCESS_DENIED', error_description: 'Access denied!' },
    });

    expect((await call('bizproc.robot.delete', { CODE: 'request_approval' })).body.result).toBe(true);
    expect((await call('bizproc.robot.delete', { CODE: 'request_approval' })).body.error).toBe(
      'ERROR_ACTIVITY_NOT_FOUND',
    );
    expect((await call('bizproc.robot.list', {})).body.result).toEqual([]);
  });
});

describe('running a robot', () => {
  it('POSTs the handler as the automation does and takes the return values of bizproc.event.send once', async () => {
    const p = await installed();
    await rest(p.clientEndpoint, 'bizproc.robot.add', { ...ROBOT, HANDLER: `${env.receiver.url}/robot` }, p.token);
    const approver = await env.emu.client.createUser(p.memberId, { name: 'Anna Approver' });
    const { run, delivery } = await env.emu.client.runRobot(p.memberId, {
      clientId: p.clientId,
      code: 'request_approval',
      entityTypeId: 2,
      entityId: p.dealId,
      properties: { title: 'Discount 15%', approver: `user_${approver.id}` },
    });
    expect(delivery).toMatchObject({ event: 'BIZPROC_ROBOT', status: 200, url: `${env.receiver.url}/robot` });
    expect(run).toMatchObject({ state: 'running', documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${p.dealId}`] });

    const got = env.receiver.received.find((r) => r.path === '/robot');
    expect([...new Set([...new URLSearchParams(got?.raw).keys()].map((k) => k.split('[')[0]))]).toEqual([
      'workflow_id',
      'code',
      'document_id',
      'document_type',
      'event_token',
      'properties',
      'use_subscription',
      'timeout_duration',
      'ts',
      'auth',
    ]);
    expect(got?.body).toMatchObject({
      code: 'request_approval',
      document_id: ['crm', 'CCrmDocumentDeal', `DEAL_${p.dealId}`],
      document_type: ['crm', 'CCrmDocumentDeal', 'DEAL'],
      event_token: run.eventToken,
      properties: { title: 'Discount 15%', approver: `user_${approver.id}` },
      use_subscription: 'Y',
      auth: { member_id: p.memberId, user_id: '1', application_token: p.applicationToken },
    });
    const auth = got?.body.auth as { access_token: string };
    const returnValues = { decision: 'approved', decidedBy: `user_${approver.id}`, comment: 'ok' };
    const send = (token: string) =>
      rest(
        p.clientEndpoint,
        'bizproc.event.send',
        { event_token: token, return_values: returnValues },
        auth.access_token,
      );
    expect((await send(run.eventToken)).body.result).toBe(true);
    expect(await env.emu.client.robotRun(p.memberId, run.id)).toMatchObject({
      state: 'completed',
      returnValues,
      logMessage: 'Received response from the application.',
    });
    // a second send for a finished run, and a token nobody issued, are refused
    expect(await send(run.eventToken)).toMatchObject({ status: 400, body: { error: 'ACCESS_DENIED' } });
    expect((await send('made-up|token')).body.error).toBe('ACCESS_DENIED');
    expect((await env.emu.client.robotRun(p.memberId, run.id)).sends.map((s) => s.accepted)).toEqual([true, false]);
  });

  it('refuses bizproc.event.send for a run that timed out, was stopped, or whose app went away', async () => {
    const p = await installed();
    await rest(p.clientEndpoint, 'bizproc.robot.add', { ...ROBOT, HANDLER: `${env.receiver.url}/robot` }, p.token);
    const runOnce = async () =>
      (
        await env.emu.client.runRobot(p.memberId, {
          clientId: p.clientId,
          code: 'request_approval',
          entityTypeId: 2,
          entityId: p.dealId,
          properties: { title: 'T', approver: 'user_1' },
        })
      ).run;
    const send = (token: string) => rest(p.clientEndpoint, 'bizproc.event.send', { event_token: token }, p.token);
    const late = await runOnce();
    await env.emu.client.endRobotRun(p.memberId, late.id, 'timed_out');
    expect((await send(late.eventToken)).body.error).toBe('ACCESS_DENIED');
    expect((await env.emu.client.robotRun(p.memberId, late.id)).state).toBe('timed_out');

    const open = await runOnce();
    await env.emu.client.uninstallApp(p.memberId, p.clientId);
    expect((await env.emu.client.robotRun(p.memberId, open.id)).state).toBe('stopped');
    expect(await env.emu.client.robots(p.memberId)).toEqual([]);
  });

  it('runs on companies and smart-process items with their bizproc document ids', async () => {
    const p = await installed();
    await rest(p.clientEndpoint, 'bizproc.robot.add', { ...ROBOT, HANDLER: `${env.receiver.url}/robot` }, p.token);
    const company = await env.emu.client.createCrmItem(p.memberId, { entityTypeId: 4, title: 'ACME Ltd' });
    const spa = await env.emu.client.createCrmItem(p.memberId, { entityTypeId: 1032, title: 'Contract 7' });
    const second = await env.emu.client.createCrmItem(p.memberId, { entityTypeId: 1032, title: 'Contract 8' });
    expect(second.id).toBe(spa.id + 1); // each smart process numbers its own items
    const run = (entityTypeId: number, entityId: number) =>
      env.emu.client.runRobot(p.memberId, {
        clientId: p.clientId,
        code: 'request_approval',
        entityTypeId,
        entityId,
        properties: { title: 'T', approver: 'user_1' },
      });
    expect((await run(4, company.id)).run).toMatchObject({
      documentId: ['crm', 'CCrmDocumentCompany', `COMPANY_${company.id}`],
      documentType: ['crm', 'CCrmDocumentCompany', 'COMPANY'],
    });
    const dynamic = 'Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic';
    expect((await run(1032, second.id)).run).toMatchObject({
      documentId: ['crm', dynamic, `DYNAMIC_1032_${second.id}`],
      documentType: ['crm', dynamic, 'DYNAMIC_1032'],
    });
    const posted = env.receiver.received.filter((r) => r.path === '/robot').map((r) => r.body.document_id);
    expect(posted).toEqual([
      ['crm', 'CCrmDocumentCompany', `COMPANY_${company.id}`],
      ['crm', dynamic, `DYNAMIC_1032_${second.id}`],
    ]);
    // the item APIs know both, and a type that is neither a CRM entity nor a smart process is refused
    expect((await rest(p.clientEndpoint, 'crm.company.get', { id: company.id }, p.token)).body.result).toMatchObject({
      TITLE: 'ACME Ltd',
    });
    const items = await rest(p.clientEndpoint, 'crm.item.list', { entityTypeId: 1032 }, p.token);
    expect((items.body.result as { items: { title: string }[] }).items.map((i) => i.title)).toEqual([
      'Contract 7',
      'Contract 8',
    ]);
    await expect(env.emu.client.createCrmItem(p.memberId, { entityTypeId: 5, title: 'x' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(run(3, 999)).rejects.toMatchObject({ code: 'CRM_ITEM_NOT_FOUND' });
  });

  it('keeps FILTER: a robot included for deals only is not offered, nor run, on a contact', async () => {
    const p = await installed();
    const add = (over: Record<string, unknown>) =>
      rest(p.clientEndpoint, 'bizproc.robot.add', { ...ROBOT, HANDLER: `${env.receiver.url}/robot`, ...over }, p.token);
    expect((await add({ FILTER: { INCLUDE: [['crm', 'CCrmDocumentDeal']] } })).body.result).toBe(true);
    expect((await add({ CODE: 'bad_filter', FILTER: 'deals' })).body).toMatchObject({
      error: 'ERROR_ACTIVITY_VALIDATION_FAILURE',
      error_description: 'Wrong activity FILTER!',
    });
    const contact = await env.emu.client.createCrmItem(p.memberId, { entityTypeId: 3, title: 'John' });
    const base = { clientId: p.clientId, code: 'request_approval', properties: { title: 'T', approver: 'user_1' } };
    await expect(
      env.emu.client.runRobot(p.memberId, { ...base, entityTypeId: 3, entityId: contact.id }),
    ).rejects.toMatchObject({ code: 'ROBOT_NOT_APPLICABLE' });
    expect(
      (await env.emu.client.runRobot(p.memberId, { ...base, entityTypeId: 2, entityId: p.dealId })).run.state,
    ).toBe('running');
    const page = await (await fetch(`${env.emu.url}/ui/portals/${p.memberId}/crm/3/${contact.id}`)).text();
    expect(page).not.toContain('data-code="request_approval"');
    const dealPage = await (await fetch(`${env.emu.url}/ui/portals/${p.memberId}/crm/2/${p.dealId}`)).text();
    expect(dealPage).toContain('data-code="request_approval"');
  });

  it('refuses to run without a required property, and an unsubscribed robot does not wait', async () => {
    const p = await installed();
    const robot = { ...ROBOT, HANDLER: `${env.receiver.url}/robot`, USE_SUBSCRIPTION: 'N' };
    await rest(p.clientEndpoint, 'bizproc.robot.add', robot, p.token);
    const base = { clientId: p.clientId, code: 'request_approval', entityTypeId: 2 as const, entityId: p.dealId };
    await expect(env.emu.client.runRobot(p.memberId, { ...base, properties: { title: 'T' } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    const { run } = await env.emu.client.runRobot(p.memberId, {
      ...base,
      properties: { title: 'T', approver: 'user_1' },
    });
    expect((await env.emu.client.robotRun(p.memberId, run.id)).state).toBe('completed');
  });
});

describe('placement.*', () => {
  it('binds, lists and unbinds the app’s placements; admins only; unknown placements refused', async () => {
    const p = await installed();
    const other = await startReceiver();
    try {
      const bind = {
        PLACEMENT: 'CRM_DEAL_DETAIL_ACTIVITY',
        HANDLER: `${env.receiver.url}/request`,
        TITLE: 'Request approval',
      };
      expect((await rest(p.clientEndpoint, 'placement.bind', bind, p.token)).body.result).toBe(true);
      // The placement table's own refusal, as Api\Placement::bind reports it.
      expect(await rest(p.clientEndpoint, 'placement.bind', bind, p.token)).toMatchObject({
        status: 400,
        body: { error: 'ERROR_CORE', error_description: 'Unable to set placement handler: Handler already binded' },
      });
      expect(
        (await rest(p.clientEndpoint, 'placement.bind', { ...bind, PLACEMENT: 'DEFAULT' }, p.token)).body,
      ).toMatchObject({ error: 'ERROR_ARGUMENT', error_description: 'Wrong value', argument: 'PLACEMENT' });
      // checkCallback: the handler lives on the app's host
      expect(
        (await rest(p.clientEndpoint, 'placement.bind', { ...bind, HANDLER: 'http://elsewhere.example/x' }, p.token))
          .body.error,
      ).toBe('ERROR_WRONG_HANDLER_URL');
      await rest(p.clientEndpoint, 'placement.bind', { ...bind, PLACEMENT: 'CRM_LEAD_DETAIL_ACTIVITY' }, p.token);
      await rest(p.clientEndpoint, 'placement.bind', { ...bind, HANDLER: `${other.url}/x` }, p.token);
      expect((await rest(p.clientEndpoint, 'placement.bind', { ...bind, PLACEMENT: 'NOPE' }, p.token)).body.error).toBe(
        'ERROR_PLACEMENT_NOT_FOUND',
      );
      expect((await rest(p.clientEndpoint, 'placement.bind', { HANDLER: bind.HANDLER }, p.token)).body).toMatchObject({
        error: 'ERROR_ARGUMENT',
        argument: 'PLACEMENT',
      });
      const listed = (await rest(p.clientEndpoint, 'placement.get', {}, p.token)).body.result as {
        placement: string;
      }[];
      expect(listed.map((x) => x.placement)).toEqual([
        'CRM_DEAL_DETAIL_ACTIVITY',
        'CRM_LEAD_DETAIL_ACTIVITY',
        'CRM_DEAL_DETAIL_ACTIVITY',
      ]);
      expect(listed[0]).toMatchObject({ placement: 'CRM_DEAL_DETAIL_ACTIVITY', userId: 0, title: 'Request approval' });
      const user = await env.emu.client.createUser(p.memberId, { name: 'Olga Operator' });
      const ut = await env.emu.client.issueTokens(p.memberId, p.clientId, user.id);
      expect(
        (await rest(p.clientEndpoint, 'placement.unbind', { PLACEMENT: bind.PLACEMENT }, ut.access_token)).status,
      ).toBe(403);
      // placement.get is for administrators too (bitrix24_config)
      expect((await rest(p.clientEndpoint, 'placement.get', {}, ut.access_token)).status).toBe(403);
      // without HANDLER every handler of that placement goes
      expect(
        (await rest(p.clientEndpoint, 'placement.unbind', { PLACEMENT: bind.PLACEMENT }, p.token)).body.result,
      ).toEqual({
        count: 2,
      });
      expect((await env.emu.client.placements(p.memberId)).map((x) => x.placement)).toEqual([
        'CRM_LEAD_DETAIL_ACTIVITY',
      ]);
      await env.emu.client.uninstallApp(p.memberId, p.clientId);
      expect(await env.emu.client.placements(p.memberId)).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('CRM placements come with the crm scope: an app without it cannot bind them', async () => {
    const p = await portalWithApp(env.emu, env.receiver, { scope: 'placement,user_brief' });
    const bind = { PLACEMENT: 'CRM_DEAL_DETAIL_ACTIVITY', HANDLER: `${env.receiver.url}/request` };
    expect((await rest(p.clientEndpoint, 'placement.bind', bind, p.token)).body).toMatchObject({
      error: 'ERROR_PLACEMENT_NOT_FOUND',
      error_description: 'Placement not found',
    });
    expect(
      (await rest(p.clientEndpoint, 'placement.bind', { ...bind, PLACEMENT: 'LEFT_MENU' }, p.token)).body.result,
    ).toBe(true);
  });
});

describe('im.notify.*', () => {
  it('delivers system and personal notifications to the recipient’s list', async () => {
    const p = await installed();
    const approver = await env.emu.client.createUser(p.memberId, { name: 'Anna Approver' });
    const sys = await rest(
      p.clientEndpoint,
      'im.notify.system.add',
      { USER_ID: approver.id, MESSAGE: 'An approval is waiting for you', TAG: 'approval-1' },
      p.token,
    );
    expect(typeof sys.body.result).toBe('number');
    await rest(p.clientEndpoint, 'im.notify.personal.add', { USER_ID: approver.id, MESSAGE: 'Please look' }, p.token);
    // the same TAG replaces the earlier notification
    await rest(
      p.clientEndpoint,
      'im.notify.system.add',
      { USER_ID: approver.id, MESSAGE: 'Still waiting', TAG: 'approval-1' },
      p.token,
    );
    expect(
      (await env.emu.client.notifications(p.memberId, approver.id)).map((n) => [n.kind, n.message, n.fromUserId]),
    ).toEqual([
      ['personal', 'Please look', 1],
      ['system', 'Still waiting', null],
    ]);
    expect(await env.emu.client.notifications(p.memberId, 1)).toEqual([]);
    // an unknown recipient makes no notification: result false (the docs' "may return false")
    expect(
      (await rest(p.clientEndpoint, 'im.notify.system.add', { USER_ID: 999, MESSAGE: 'x' }, p.token)).body,
    ).toEqual(expect.objectContaining({ result: false }));
    const err = async (params: Record<string, unknown>) =>
      (await rest(p.clientEndpoint, 'im.notify.system.add', params, p.token)).body;
    expect(await err({ USER_ID: 0, MESSAGE: 'x' })).toMatchObject({
      error: 'USER_ID_EMPTY',
      error_description: "User ID can't be empty",
    });
    expect(await err({ USER_ID: approver.id })).toMatchObject({ error: 'MESSAGE_EMPTY' });
    expect(await err({ USER_ID: approver.id, MESSAGE: '   ' })).toMatchObject({ error: 'MESSAGE_EMPTY' });
    expect(await err({ USER_ID: approver.id, MESSAGE: 'x', ATTACH: '{not json' })).toMatchObject({
      error: 'ATTACH_ERROR',
    });
    expect(await err({ USER_ID: approver.id, MESSAGE: 'x', ATTACH: [{ MESSAGE: 'y'.repeat(31_000) }] })).toMatchObject({
      error: 'ATTACH_OVERSIZE',
    });
    // MESSAGE is trimmed; a BB-code link is kept as sent (the UI renders it)
    await err({ USER_ID: approver.id, MESSAGE: '  Open [url=https://x.test/crm/deal/details/1/]Deal[/url]  ' });
    expect((await env.emu.client.notifications(p.memberId, approver.id)).at(-1)?.message).toBe(
      'Open [url=https://x.test/crm/deal/details/1/]Deal[/url]',
    );
  });

  it('needs the im scope', async () => {
    const p = await installed({ scope: 'crm' });
    const r = await rest(p.clientEndpoint, 'im.notify.system.add', { USER_ID: 1, MESSAGE: 'x' }, p.token);
    expect(r.body.error).toBe('insufficient_scope');
    expect(await env.emu.client.notifications(p.memberId)).toEqual([]);
  });
});

describe('item links on the portal', () => {
  it('redirects /crm/<type>/details/<id>/ and /crm/type/<entityTypeId>/details/<id>/ to the item page', async () => {
    const p = await installed();
    const company = await env.emu.client.createCrmItem(p.memberId, { entityTypeId: 4, title: 'ACME' });
    const spa = await env.emu.client.createCrmItem(p.memberId, { entityTypeId: 1032, title: 'Contract' });
    const base = p.clientEndpoint.replace(/\/rest\/$/, '');
    for (const [path, target] of [
      [`/crm/company/details/${company.id}/`, `/crm/4/${company.id}`],
      [`/crm/type/1032/details/${spa.id}/?user=1`, `/crm/1032/${spa.id}?user=1`],
    ] as const) {
      const r = await fetch(`${base}${path}`, { redirect: 'manual' });
      expect(r.status).toBe(302);
      expect(r.headers.get('location')).toBe(`${env.emu.url}/ui/portals/${p.memberId}${target}`);
    }
  });
});
