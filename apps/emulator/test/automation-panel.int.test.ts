import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { type InstalledPortal, portalWithApp, rest, useEmulator } from './helpers.js';

// The automation panel of a CRM item's page in a real browser: it lists the installed robots, runs one with the
// property values typed in, and shows the run's state and what the app returned with bizproc.event.send.

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/emulator/', import.meta.url));
const env = useEmulator({ resetReceiver: true });
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
});

const ROBOT = {
  CODE: 'request_approval',
  AUTH_USER_ID: 1,
  USE_SUBSCRIPTION: 'Y',
  NAME: { en: 'Request approval', ru: 'Запросить согласование' },
  DESCRIPTION: { en: 'Waits for the approver’s decision', ru: 'Ждёт решения согласующего' },
  PROPERTIES: {
    title: { Name: { en: 'Title', ru: 'Название' }, Type: 'string', Required: 'Y' },
    description: { Name: { en: 'Description' }, Type: 'text' },
    approver: { Name: { en: 'Approver', ru: 'Согласующий' }, Type: 'user', Required: 'Y' },
    deadline: { Name: { en: 'Deadline' }, Type: 'datetime' },
  },
  RETURN_PROPERTIES: {
    decision: { Name: 'Decision', Type: 'select', Options: { approved: 'Approved', rejected: 'Rejected' } },
    decidedBy: { Name: 'Decided by', Type: 'user' },
    comment: { Name: 'Comment', Type: 'text' },
  },
};

async function setup(): Promise<{ p: InstalledPortal; dealId: number; approverId: number }> {
  const p = await portalWithApp(env.emu, env.receiver, { scope: 'crm,bizproc,user_brief' });
  const add = await rest(
    p.clientEndpoint,
    'bizproc.robot.add',
    { ...ROBOT, HANDLER: `${env.receiver.url}/robot` },
    p.token,
  );
  expect(add.body.result).toBe(true);
  const approver = await env.emu.client.createUser(p.memberId, { name: 'Anna Approver' });
  const deal = await env.emu.client.createCrmItem(p.memberId, { entityTypeId: 2, title: 'Deal: 100 office chairs' });
  return { p, dealId: deal.id, approverId: approver.id };
}

const itemUrl = (p: InstalledPortal, dealId: number, lang = 'en') =>
  `${env.emu.url}/ui/portals/${p.memberId}/crm/2/${dealId}?lang=${lang}`;
const runRow = (state: string) => page.locator(`[data-testid="robot-run"][data-state="${state}"]`);

describe('the automation panel', () => {
  it('runs a robot with the typed property values and shows the state and the values the app returned', async () => {
    const { p, dealId, approverId } = await setup();
    await page.goto(itemUrl(p, dealId));
    const robot = page.locator('[data-testid="robot"][data-code="request_approval"]');
    await robot.waitFor();
    expect(await robot.locator('header b').textContent()).toBe('Request approval');
    expect(await page.locator('[data-testid="robot-runs"]').textContent()).toContain('No runs on this item yet.');

    await robot.locator('[data-prop="title"]').fill('Discount 15%');
    await robot.locator('[data-prop="description"]').fill('ACME asks for 15% off');
    await robot.locator('[data-prop="approver"]').selectOption(`user_${approverId}`);
    await robot.locator('[data-prop="deadline"]').fill('2026-12-10T15:30');
    await robot.locator('[data-testid="run-robot"]').click();
    await runRow('running').waitFor();

    const posted = env.receiver.received.find((r) => r.path === '/robot');
    expect(posted).toBeDefined();
    expect(posted?.body).toMatchObject({
      code: 'request_approval',
      document_id: ['crm', 'CCrmDocumentDeal', `DEAL_${dealId}`],
      properties: {
        title: 'Discount 15%',
        description: 'ACME asks for 15% off',
        approver: `user_${approverId}`,
        deadline: '10.12.2026 15:30:00',
      },
    });
    expect(await runRow('running').locator('td').nth(4).textContent()).toBe('HTTP 200');
    await page.locator('[data-testid="automation"]').screenshot({ path: `${ARTIFACTS}automation-panel-running.png` });

    // the app answers the automation: the panel shows the run completed with the returned values
    const { event_token: eventToken, auth } = posted!.body as { event_token: string; auth: { access_token: string } };
    const returnValues = { decision: 'approved', decidedBy: `user_${approverId}`, comment: 'Fine by me' };
    const sent = await rest(
      p.clientEndpoint,
      'bizproc.event.send',
      { event_token: eventToken, return_values: returnValues },
      auth.access_token,
    );
    expect(sent.body.result).toBe(true);
    const done = runRow('completed');
    await done.waitFor();
    expect(await done.locator('[data-return="decision"]').textContent()).toBe('approved');
    expect(await done.locator('[data-return="decidedBy"]').textContent()).toBe(`user_${approverId}`);
    expect(await done.locator('[data-return="comment"]').textContent()).toBe('Fine by me');
    await page.locator('[data-testid="automation"]').screenshot({ path: `${ARTIFACTS}automation-panel-completed.png` });
  });

  it('times a run out from the panel: the app’s late answer is refused and shown as such', async () => {
    const { p, dealId, approverId } = await setup();
    await page.goto(itemUrl(p, dealId, 'ru'));
    const robot = page.locator('[data-testid="robot"][data-code="request_approval"]');
    expect(await robot.locator('header b').textContent()).toBe('Запросить согласование');
    // a required property left empty: the browser does not submit, nothing runs
    await robot.locator('[data-prop="approver"]').selectOption(`user_${approverId}`);
    await robot.locator('[data-testid="run-robot"]').click();
    expect(
      await robot
        .locator('[data-prop="title"]')
        .evaluate((el) => (el as unknown as { validity: { valid: boolean } }).validity.valid),
    ).toBe(false);
    await robot.locator('[data-prop="title"]').fill('Late one');
    await robot.locator('[data-testid="run-robot"]').click();
    const running = runRow('running');
    await running.waitFor();
    expect(await env.emu.client.robotRuns(p.memberId)).toHaveLength(1);

    await running.getByRole('button', { name: 'Time out' }).click();
    const late = runRow('timed_out');
    await late.waitFor();
    const [run] = await env.emu.client.robotRuns(p.memberId);
    expect(run?.state).toBe('timed_out');
    const refused = await rest(p.clientEndpoint, 'bizproc.event.send', { event_token: run?.eventToken }, p.token);
    expect(refused.body.error).toBe('ACCESS_DENIED');
    await page.locator('[data-testid="robot-run"][data-state="timed_out"]', { hasText: '1 refused' }).waitFor();
    await page.locator('[data-testid="automation"]').screenshot({ path: `${ARTIFACTS}automation-panel-timed-out.png` });

    // uninstalled: its robots are gone from the panel
    await env.emu.client.uninstallApp(p.memberId, p.clientId);
    await page.reload();
    expect(await page.locator('[data-testid="automation"]').textContent()).toContain('No automation rules installed');
  });
});
