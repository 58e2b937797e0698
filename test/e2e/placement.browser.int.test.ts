import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type FrameLocator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getApproval } from '../support/approvals.js';
import { approvalWithActivity, runApprovalRobot } from '../support/robots.js';
import { type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

// "Request approval" and "Reject with a comment" in Debian's Chromium, the way a CRM user meets them: the item's
// timeline menu in the emulated portal opens our placement in a slider (frame POST), the card's Reject opens the
// approval's details in a slider; the official SDK frame client talks to the emulator's parent side. The front
// end must be built (npm run build). Screenshots: test-artifacts/placement/ and test-artifacts/app-page/.

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../../test-artifacts/placement/', import.meta.url));
const APP_SHOTS = fileURLToPath(new URL('../../test-artifacts/app-page/', import.meta.url));
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
let anna: number;
let olga: number;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(APP_SHOTS, { recursive: true });
  stack = await startStack({ worker: true });
  p = await stack.installedPortal();
  anna = (await stack.emu.createUser(p.memberId, { name: 'Anna Approver' })).id;
  olga = (await stack.emu.createUser(p.memberId, { name: 'Olga Requester' })).id;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** The portal's own origin: the SDK only accepts the parent's messages from there. */
const dealPage = (userId: number) =>
  `http://${p.domain}/ui/portals/${p.memberId}/crm/2/${p.dealId}?user=${userId}&lang=en`;

/** A form control by its test id, whether the id sits on the control or on its wrapper. */
const control = (app: FrameLocator, id: string) =>
  app
    .locator(
      `input[data-testid="${id}"], textarea[data-testid="${id}"], [data-testid="${id}"] input, [data-testid="${id}"] textarea`,
    )
    .first();

/** Our app inside the slider's page (the emulator's embedded frame). */
const sliderApp = (page: Page): FrameLocator =>
  page.frameLocator('.slider-frame').frameLocator('iframe.app-frame-embed');

describe('Request approval from the deal’s timeline menu', () => {
  it('opens the form in a slider, shows each field’s error, and a valid request puts the card on the timeline', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(dealPage(olga));
    await page.locator('.timeline-menu a[data-placement="CRM_DEAL_DETAIL_ACTIVITY"]').click();
    const app = sliderApp(page);
    await app.getByTestId('request-approval').waitFor();
    await page.screenshot({ path: `${SHOTS}request-form-1200.png` });

    // Nothing filled in: the server's message under each field, nothing created.
    await app.getByTestId('request-submit').click();
    await expect.poll(() => app.getByTestId('request-approval').textContent()).toContain('Enter a title');
    expect(await app.getByTestId('request-approval').textContent()).toContain('Choose an approver');
    expect(await stack.db.approval.count({ where: { portal: { memberId: p.memberId } } })).toBe(0);
    await page.screenshot({ path: `${SHOTS}request-errors-1200.png` });
    await page.setViewportSize({ width: 600, height: 900 });
    await expect.poll(() => app.getByTestId('request-submit').isVisible()).toBe(true);
    await page.screenshot({ path: `${SHOTS}request-errors-600.png` });
    await page.setViewportSize({ width: 1200, height: 900 });

    await control(app, 'request-title').fill('Discount 15% for ACME');
    await control(app, 'request-description').fill('The customer asks for 15%.\nMargin stays above 20%.');
    await app.getByTestId('request-approver').click();
    await app.getByPlaceholder('Search by name').fill('Anna');
    await app.getByRole('option', { name: /Anna Approver/ }).click();
    await control(app, 'request-deadline').fill('2030-01-15T10:00');
    await page.screenshot({ path: `${SHOTS}request-filled-1200.png` });
    await app.getByTestId('request-submit').click();
    await app.getByTestId('request-created').waitFor();
    await page.screenshot({ path: `${SHOTS}request-created-1200.png` });
    await page.setViewportSize({ width: 600, height: 900 });
    await page.screenshot({ path: `${SHOTS}request-created-600.png` });
    await page.setViewportSize({ width: 1200, height: 900 });

    const row = await stack.db.approval.findFirstOrThrow({ where: { portal: { memberId: p.memberId } } });
    expect(row).toMatchObject({
      title: 'Discount 15% for ACME',
      requesterId: olga,
      responsibleId: anna,
      ownerTypeId: 2,
      ownerId: p.dealId,
    });
    expect(row.deadline?.getFullYear()).toBe(2030);

    // Close (the SDK's closeApplication): the slider goes, the card is on the timeline with its approver.
    await app.getByTestId('request-close').click();
    await page.locator('.slider').waitFor({ state: 'detached' });
    const card = page.locator(`[data-activity-id="${row.activityId}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain('Discount 15% for ACME');
    expect(await card.locator('[data-testid="activity-meta"]').textContent()).toMatch(
      /Responsible: Anna Approver · Reminders: at the deadline, 1 h before/,
    );
    await page.screenshot({ path: `${SHOTS}card-on-timeline-1200.png`, fullPage: true });
    await page.close();
  }, 60_000);
});

describe('Reject with a required comment', () => {
  it('the admin turns the setting on; the approver rejects through the slider and the card shows the comment', async () => {
    // The setting, through the app page's Settings (as the admin).
    const admin = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await admin.goto(
      `http://${p.domain}/ui/portals/${p.memberId}/apps/${encodeURIComponent(stack.clientId)}?user=${p.adminUserId}&lang=en`,
    );
    const appFrame = admin.frameLocator('iframe.app-frame');
    await appFrame.locator('[data-app-ready]').waitFor();
    await appFrame.getByRole('tab', { name: /^Settings$/ }).click();
    await appFrame.getByTestId('settings-reject-comment').waitFor();
    await appFrame.getByTestId('settings-reject-comment').click();
    await appFrame.getByTestId('settings-save').click();
    await appFrame.getByTestId('settings-saved').waitFor();
    await admin.screenshot({ path: `${APP_SHOTS}settings-reject-comment-1200.png`, fullPage: true });
    await admin.setViewportSize({ width: 600, height: 900 });
    await admin.screenshot({ path: `${APP_SHOTS}settings-reject-comment-600.png`, fullPage: true });
    await admin.close();
    const settings = await stack.db.portalSettings.findFirstOrThrow({ where: { portal: { memberId: p.memberId } } });
    expect(settings.rejectCommentRequired).toBe(true);

    // Asked by the automation: the request_approval robot runs on the deal and waits for the decision.
    const { run } = await runApprovalRobot(stack, p, { approverId: anna, title: 'Free shipping for ACME' });
    const a = (await approvalWithActivity(stack, run)) as { id: string; activityId: number };
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(dealPage(anna));
    // The card's Reject is an openRestApp: it opens the details in a slider, on the reject form.
    await page.locator(`[data-activity-id="${a.activityId}"] [data-button="reject"]`).click();
    const app = sliderApp(page);
    await app.getByTestId('decision-form').waitFor();
    await expect
      .poll(() => control(app, 'decision-comment').evaluate((el) => el === el.ownerDocument.activeElement))
      .toBe(true);

    // Without a comment: refused, the message under the comment field, still pending.
    await app.getByTestId('decision-reject').click();
    await expect
      .poll(() => app.getByTestId('decision-form').textContent())
      .toContain('A comment is required to reject');
    expect((await getApproval(stack, a.id)).state).toBe('pending');
    await page.screenshot({ path: `${APP_SHOTS}details-reject-comment-required-1200.png` });
    await page.setViewportSize({ width: 600, height: 900 });
    await expect.poll(() => app.getByTestId('decision-reject').isVisible()).toBe(true);
    await page.screenshot({ path: `${APP_SHOTS}details-reject-comment-required-600.png` });
    await page.setViewportSize({ width: 1200, height: 900 });

    await control(app, 'decision-comment').fill('Shipping costs exceed the margin.');
    await app.getByTestId('decision-reject').click();
    await expect.poll(() => app.getByTestId('decision-note').textContent(), { timeout: 20_000 }).toContain('Done');
    await app.getByTestId('details-comment').waitFor();
    expect(await app.getByTestId('details-comment').textContent()).toBe('Shipping costs exceed the margin.');
    expect(await app.getByTestId('details-state').textContent()).toBe('Rejected');
    await page.screenshot({ path: `${APP_SHOTS}details-rejected-with-comment-1200.png` });
    await page.setViewportSize({ width: 600, height: 900 });
    await expect.poll(() => app.getByTestId('details-comment').isVisible()).toBe(true);
    await page.screenshot({ path: `${APP_SHOTS}details-rejected-with-comment-600.png` });
    await page.setViewportSize({ width: 1200, height: 900 });

    // Once, by the worker: one applied decision, and the card in the timeline shows it with the comment.
    const got = (await getApproval(stack, a.id)) as Awaited<ReturnType<typeof getApproval>> & { comment: string };
    expect(got).toMatchObject({
      state: 'rejected',
      decidedBy: { id: anna },
      comment: 'Shipping costs exceed the margin.',
    });
    expect(got.clicks.filter((c) => c.outcome === 'applied')).toHaveLength(1);
    // The automation continues on its rejected branch with who decided and the comment (bizproc.event.send).
    await waitFor(async () => (await stack.emu.robotRun(p.memberId, run.id)).state === 'completed');
    expect((await stack.emu.robotRun(p.memberId, run.id)).returnValues).toEqual({
      decision: 'rejected',
      decidedBy: `user_${anna}`,
      comment: 'Shipping costs exceed the margin.',
    });
    await page.locator('.slider-close').click();
    await page.locator('.slider').waitFor({ state: 'detached' });
    const card = page.locator(`[data-activity-id="${a.activityId}"]`);
    await waitFor(async () => ((await card.textContent()) ?? '').includes('Shipping costs exceed the margin.'));
    expect(await card.textContent()).toContain('Rejected');
    expect(await card.locator('[data-button]').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}card-rejected-with-comment-1200.png`, fullPage: true });
    await page.setViewportSize({ width: 600, height: 900 });
    await page.screenshot({ path: `${SHOTS}card-rejected-with-comment-600.png`, fullPage: true });
    await page.close();
  }, 90_000);
});
