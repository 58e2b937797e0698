import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPrismaTokenStore } from '@b24app/bitrix24';
import { createTokenCipher } from '@b24app/core';
import { timelineActionJob } from '@b24app/jobs';
import { Queue } from 'bullmq';
import { type Browser, chromium, type FrameLocator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApproval } from '../support/approvals.js';
import { type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

// The app page in Debian's Chromium, inside the emulator's portal page (iframe, DEFAULT placement) and in the
// slider the card's Details opens (openRestApp), with the unmodified official SDK frame client talking to the
// emulator's parent side. The front end must be built (npm run build); screenshots go to test-artifacts/.

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/app-page/', import.meta.url));
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let stack: Stack;
let p: InstalledPortal;
let memberUserId: number;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startStack({ creator: true });
  p = await stack.installedPortal();
  memberUserId = (await stack.emu.createUser(p.memberId, { name: 'Olga Petrova', admin: false })).id;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** The portal's own origin: the SDK only accepts the parent's messages from there. */
const portalUrl = (path: string) => `http://${p.domain}${path}`;
const appUrl = (userId: number, lang = 'en') =>
  portalUrl(`/ui/portals/${p.memberId}/apps/${encodeURIComponent(stack.clientId)}?user=${userId}&lang=${lang}`);

async function openApp(userId: number, width = 1200, lang = 'en'): Promise<{ page: Page; app: FrameLocator }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(appUrl(userId, lang));
  const app = page.frameLocator('iframe.app-frame');
  await app.locator('[data-app-ready]').waitFor();
  return { page, app };
}

async function tab(app: FrameLocator, name: RegExp) {
  await app.getByRole('tab', { name }).click();
}

describe('the app page inside the emulated portal', () => {
  it('the SDK frame client runs unmodified: the iframe is fitted to the page content', async () => {
    const { page } = await openApp(p.adminUserId);
    // fitWindow → resizeWindow: the parent sets the frame's height from the app's scroll height.
    await waitFor(
      async () => (await page.locator('iframe.app-frame').getAttribute('style'))?.includes('height') ?? false,
    );
    await page.close();
  });

  it('an admin adds a multilingual badge, sees it in the list, picks it as pending badge; a new approval carries it to the kanban', async () => {
    const { page, app } = await openApp(p.adminUserId);
    await tab(app, /Badges/);
    await app.getByTestId('badge-code').fill('has space');
    await app.getByTestId('badge-submit').click();
    // Field-level messages from packages/layout, and nothing sent to Bitrix24.
    await expect.poll(() => app.getByTestId('badge-error').textContent()).toMatch(/not valid/);
    expect((await stack.emu.calls({ memberId: p.memberId, method: 'crm.activity.badge.add' })).length).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}badges-errors-1200.png`, fullPage: true });

    await app.getByTestId('badge-code').fill('approval_browser');
    await app.getByTestId('badge-title-en').fill('Approval');
    await app.getByTestId('badge-value-en').fill('Waiting');
    await app.getByTestId('badge-title-ru').fill('Согласование');
    await app.getByTestId('badge-value-ru').fill('Ожидает');
    await app.getByTestId('badge-submit').click();
    await app.locator('[data-testid="badge-list"] [data-code="approval_browser"]').waitFor();
    // Stored on the portal, with both languages (asked back from Bitrix24 itself).
    const tokens = await stack.emu.issueTokens(p.memberId, stack.clientId, p.adminUserId);
    const got = await fetch(`http://${p.domain}/rest/crm.activity.badge.get.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'approval_browser', auth: tokens.access_token }),
    });
    expect(((await got.json()) as { result: { badge: unknown } }).result.badge).toMatchObject({
      title: { en: 'Approval', ru: 'Согласование' },
      value: { en: 'Waiting', ru: 'Ожидает' },
    });

    await tab(app, /Settings/);
    await app.getByTestId('settings-badge').click();
    await app.getByRole('option', { name: 'approval_browser' }).click();
    await app.getByTestId('settings-save').click();
    await app.getByTestId('settings-saved').waitFor();
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId, title: 'Browser approval' });
    const activity = (await stack.emu.activities(p.memberId)).find((x) => x.id === a.activityId);
    expect(activity?.fields.badgeCode).toBe('approval_browser');
    // The emulator's kanban shows the badge on the deal's card.
    await page.goto(portalUrl(`/ui/portals/${p.memberId}?user=${p.adminUserId}`));
    await expect.poll(() => page.locator('.kcard').first().textContent()).toContain('Waiting');
    await page.screenshot({ path: `${ARTIFACTS}kanban-badge-1200.png`, fullPage: true });
    await page.close();
  });

  it("a non-admin adding a badge sees Bitrix24's refusal as a readable message", async () => {
    const { page, app } = await openApp(memberUserId);
    await tab(app, /Badges/);
    await app.getByTestId('badge-code').fill('not_allowed');
    await app.getByTestId('badge-title-en').fill('X');
    await app.getByTestId('badge-value-en').fill('Y');
    await app.getByTestId('badge-title-ru').fill('X');
    await app.getByTestId('badge-value-ru').fill('Y');
    await app.getByTestId('badge-submit').click();
    await expect.poll(() => app.getByTestId('badge-error').textContent()).toMatch(/ACCESS_DENIED/);
    await page.screenshot({ path: `${ARTIFACTS}badges-refused-nonadmin-600.png`, fullPage: true });
    expect(await app.getByRole('tab', { name: /Operations/ }).count()).toBe(0);
    await page.close();
  });

  it('deleting an activity (with confirmation) removes it from the emulator', async () => {
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId, title: 'Delete me' });
    const { page, app } = await openApp(p.adminUserId);
    await tab(app, /Activities/);
    await app.locator(`[data-activity="${a.activityId}"] button`).click();
    await app.getByTestId('confirm-delete').click();
    await waitFor(async () => !(await stack.emu.activities(p.memberId)).some((x) => x.id === a.activityId));
    await app.locator(`[data-activity="${a.activityId}"]`).waitFor({ state: 'detached' });
    await page.close();
  });

  it("the card's Details opens the slider with that approval's history", async () => {
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId, title: 'Slider approval' });
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(portalUrl(`/ui/portals/${p.memberId}/crm/2/${p.dealId}?user=${p.adminUserId}`));
    await page.locator(`[data-activity-id="${a.activityId}"] a[data-open-rest-app]`).first().click();
    const slider = page.frameLocator('.slider-frame').frameLocator('iframe.app-frame-embed');
    await slider.getByTestId('approval-details').waitFor();
    await expect.poll(() => slider.getByTestId('approval-details').textContent()).toContain('Slider approval');
    await page.screenshot({ path: `${ARTIFACTS}details-slider-1200.png` });
    // The narrowest width Bitrix24 gives a slider: the details still fit.
    await page.setViewportSize({ width: 600, height: 900 });
    await expect.poll(() => slider.getByTestId('approval-details').isVisible()).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}details-slider-600.png` });
    await page.keyboard.press('Escape');
    await page.locator('.slider').waitFor({ state: 'detached' });
    await page.close();
  });

  it('operations replays a failed click through the click lifecycle and its card unlocks', async () => {
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId, title: 'Replay me' });
    // A click whose every attempt failed: recorded, its job gone, marked FAILED as the sweeper does; card locked.
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve', userId: p.adminUserId });
    await waitFor(async () => (await stack.db.timelineEvent.count({ where: { activityId: a.activityId } })) === 1);
    const click = await stack.db.timelineEvent.findFirstOrThrow({ where: { activityId: a.activityId } });
    const queue = new Queue(timelineActionJob.queue, { connection: stack.redis, prefix: stack.env.QUEUE_PREFIX });
    await waitFor(async () => (await queue.getJob(click.id)) !== undefined);
    await (await queue.getJob(click.id))?.remove();
    await queue.close();
    await stack.db.timelineEvent.update({
      where: { id: click.id },
      data: { state: 'FAILED', outcome: 'abandoned', error: 'every attempt failed', finishedAt: new Date() },
    });
    expect((await stack.emu.activity(p.memberId, a.activityId)).locked).toBe(true);
    stack.startWorker();

    const { page, app } = await openApp(p.adminUserId);
    await tab(app, /Operations/);
    await app.locator(`[data-click="${click.id}"] button`).click();
    await app.getByTestId('ops-note').waitFor();
    await waitFor(async () => {
      const row = await stack.db.timelineEvent.findUniqueOrThrow({ where: { id: click.id } });
      return row.state === 'DONE' && !(await stack.emu.activity(p.memberId, a.activityId)).locked;
    }, 20_000);
    const approval = await stack.db.approval.findUniqueOrThrow({ where: { id: a.id } });
    expect(approval.state).toBe('APPROVED');
    // The card's Details now shows the decision and the click's path (failed, replayed, done) in the slider.
    await page.goto(portalUrl(`/ui/portals/${p.memberId}/crm/2/${p.dealId}?user=${p.adminUserId}`));
    await page.locator(`[data-activity-id="${a.activityId}"] a[data-open-rest-app]`).first().click();
    const slider = page.frameLocator('.slider-frame').frameLocator('iframe.app-frame-embed');
    await slider.getByTestId('details-clicks').waitFor();
    expect(await slider.getByTestId('details-state').textContent()).toBe('Approved');
    expect(await slider.getByTestId('details-clicks').textContent()).toMatch(/approve.*done.*applied/s);
    await page.screenshot({ path: `${ARTIFACTS}details-slider-history-1200.png` });
    await page.close();
  });

  it("the details show the approval's deliveries: notifications sent and failed, with attempts and the error", async () => {
    // (after the replay test: the worker runs from there on)
    const rick = await stack.emu.createUser(p.memberId, { name: 'Rick Requester' });
    const a = await createApproval(stack, {
      memberId: p.memberId,
      ownerId: p.dealId,
      title: 'Notified approval',
      responsibleId: memberUserId,
      requester: { id: rick.id, name: 'Rick Requester' },
    });
    const kinds = async () =>
      Object.fromEntries(
        (await stack.db.approvalDelivery.findMany({ where: { approvalId: a.id } })).map((d) => [d.kind, d.state]),
      );
    await waitFor(async () => (await kinds()).notify_approver === 'DONE');
    // the requester's notification meets an app without the im scope: it fails on its own, the decision stands
    const rule = await stack.emu.injectFailures({
      memberId: p.memberId,
      method: 'im.notify.system.add',
      count: 1,
      kind: 'error',
      error: { code: 'insufficient_scope', description: 'The request requires higher privileges', status: 403 },
    });
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve', userId: memberUserId });
    await waitFor(async () => (await kinds()).notify_requester === 'FAILED');
    await stack.emu.clearFailures(rule.id);

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(portalUrl(`/ui/portals/${p.memberId}/crm/2/${p.dealId}?user=${p.adminUserId}`));
    await page.locator(`[data-activity-id="${a.activityId}"] a[data-open-rest-app]`).first().click();
    const slider = page.frameLocator('.slider-frame').frameLocator('iframe.app-frame-embed');
    const table = slider.getByTestId('details-deliveries');
    await table.waitFor();
    expect(await table.locator('tr[data-kind="notify_approver"]').textContent()).toMatch(
      /Approver notification.*done.*sent.*1/s,
    );
    expect(await table.locator('tr[data-kind="notify_requester"]').textContent()).toMatch(
      /Requester notification.*failed.*no_scope.*1.*grant it the im scope/s,
    );
    await table.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}details-deliveries-1200.png` });
    await page.setViewportSize({ width: 600, height: 900 });
    await expect.poll(() => table.isVisible()).toBe(true);
    await table.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}details-deliveries-600.png` });
    await page.close();
  });

  it('operations shows when the refresh token was renewed, and a failed token keep-alive', async () => {
    const { page, app } = await openApp(p.adminUserId);
    await tab(app, /Operations/);
    expect(await app.getByTestId('ops-keepalive').textContent()).toContain('OK');
    await page.close();
    // As the keep-alive notes a renewal that kept failing (the portal stays active).
    const store = createPrismaTokenStore(stack.db, createTokenCipher(stack.config.TOKEN_ENCRYPTION_KEY));
    await store.noteKeepAliveFailure(p.memberId, 'token keep-alive failed: INTERNAL_SERVER_ERROR');
    const again = await openApp(p.adminUserId);
    await tab(again.app, /Operations/);
    const portal = await again.app.getByTestId('ops-portal').textContent();
    expect(portal).toContain('Refresh token renewed');
    expect(portal).toContain('token keep-alive failed: INTERNAL_SERVER_ERROR');
    await again.page.screenshot({ path: `${ARTIFACTS}operations-keepalive-failed-1200.png` });
    await again.page.close();
    // The next renewal clears it (any successful token write does).
    await store.withRefreshLock(p.memberId, async (c) => ({ ...c, accessToken: c.accessToken }));
    expect((await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } })).statusReason).toBeNull();
  });

  it('screenshots of every view at 600 and 1200 px, in English and Russian', async () => {
    for (const [width, lang] of [
      [1200, 'en'],
      [600, 'en'],
      [600, 'ru'],
    ] as const) {
      const { page, app } = await openApp(p.adminUserId, width, lang);
      const names =
        lang === 'ru'
          ? ['Согласования', 'Бейджи', 'Настройки', 'Дела', 'Эксплуатация', 'Ключи API']
          : ['Approvals', 'Badges', 'Settings', 'Activities', 'Operations', 'API keys'];
      for (const [i, name] of names.entries()) {
        await tab(app, new RegExp(`^${name}$`));
        await app.locator('main section').first().waitFor();
        await page.screenshot({
          path: `${ARTIFACTS}view-${i}-${['approvals', 'badges', 'settings', 'activities', 'operations', 'api-keys'][i]}-${width}-${lang}.png`,
          fullPage: true,
        });
      }
      await page.close();
    }
  }, 120_000);
});
