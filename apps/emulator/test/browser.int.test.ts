import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sampleApprovalLayout } from '@b24app/layout/seed-examples';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { rest, useEmulator } from './helpers.js';

// The timeline in a real browser (Debian's Chromium): a restEvent click shows the loader until the app's
// crm.activity.configurable.update arrives through REST. Keeps a screenshot of a rendered activity.

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

const env = useEmulator({ portal: true, deal: 'Deal: 100 office chairs', bindClicks: true });
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
});

async function addActivity(layout: object, fields: object = {}): Promise<number> {
  const r = await rest(
    env.p.clientEndpoint,
    'crm.activity.configurable.add',
    { ownerTypeId: 2, ownerId: env.dealId, fields, layout },
    env.p.token,
  );
  expect(r.status).toBe(200);
  return (r.body.result as { activity: { id: number } }).activity.id;
}

function itemUrl(query = ''): string {
  return `${env.emu.url}/ui/portals/${env.p.memberId}/crm/2/${env.dealId}${query}`;
}

describe('timeline in the browser', () => {
  it('renders the layout, shows the loader after a restEvent click and clears it on configurable.update', async () => {
    const id = await addActivity(sampleApprovalLayout({ approveAnimation: 'loader' }), {
      deadline: '2026-12-01T10:00:00+00:00',
    });
    await page.goto(itemUrl());
    const activity = page.locator(`.activity[data-activity-id="${id}"]`);
    await activity.waitFor();
    expect(await activity.locator('header .title').textContent()).toBe('Approval request');
    expect(await activity.locator('.tag-warning').textContent()).toBe('Pending');
    expect(await activity.locator('.b-large .more').textContent()).toBe('Show more');
    expect(await activity.locator('.b-deadline').count()).toBe(1);
    expect(await activity.locator('footer .btn').allTextContents()).toEqual(['Approve', 'Reject']);
    mkdirSync(ARTIFACTS, { recursive: true });
    await activity.screenshot({ path: `${ARTIFACTS}emulator-activity.png` });

    await activity.locator('button[data-button="approve"]').click();
    await activity.locator('[data-testid="loader"]').waitFor({ state: 'visible' });
    const [delivery] = await env.emu.client.waitForDeliveries({ event: 'ONCRMTIMELINEITEMACTION' });
    expect(delivery?.fields).toMatchObject({
      data: { id: 'approve', activityId: String(id), approvalId: '42' },
      auth: { user_id: '1' },
    });
    expect(await env.emu.client.activity(env.p.memberId, id)).toMatchObject({ locked: true, lockKind: 'loader' });
    // still locked after two more polls of the page: only the app's update clears it
    for (let i = 0; i < 2; i++) await page.waitForResponse((r) => r.url().includes('/timeline'));
    expect(await page.locator(`.activity[data-activity-id="${id}"] [data-testid="loader"]`).count()).toBe(1);

    const done = sampleApprovalLayout({ tag: 'success' });
    const update = await rest(
      env.p.clientEndpoint,
      'crm.activity.configurable.update',
      {
        id,
        fields: { completed: true },
        layout: {
          ...done,
          header: { ...done.header, tags: { state: { type: 'success', title: 'Approved' } } },
          footer: {},
        },
      },
      env.p.token,
    );
    expect(update.status).toBe(200);
    const fresh = page.locator(`.activity[data-activity-id="${id}"]`);
    await fresh.locator('[data-testid="loader"]').waitFor({ state: 'detached', timeout: 5_000 });
    await fresh.locator('.tag-success').waitFor();
    expect(await fresh.locator('.tag-success').textContent()).toBe('Approved');
    expect(await fresh.locator('footer .btn').count()).toBe(0);
    // The lock outlived the two polls above (asserted there, not by timing) and was released by the update.
    const [lock] = await env.emu.client.locks({ memberId: env.p.memberId });
    expect(lock).toMatchObject({ releasedBy: 'update' });
    expect(lock?.durationMs).toBeGreaterThan(0);
  });

  it('disables only the clicked button for animationType disable, and resolves translations by language', async () => {
    const id = await addActivity(sampleApprovalLayout());
    await page.goto(itemUrl('?lang=de'));
    const activity = page.locator(`.activity[data-activity-id="${id}"]`);
    await activity.waitFor();
    expect(await activity.locator('footer .btn').allTextContents()).toEqual(['Genehmigen', 'Ablehnen']);
    await activity.locator('button[data-button="reject"]').click();
    await env.emu.client.waitForDeliveries({ event: 'ONCRMTIMELINEITEMACTION' });
    // once a poll has rendered the server-side state (its version: no update, no loader, reject disabled)
    await page.locator(`.activity[data-activity-id="${id}"][data-version="0:-:reject"]`).waitFor();
    const rendered = page.locator(`.activity[data-activity-id="${id}"]`);
    expect(await rendered.locator('button[data-button="reject"]').isDisabled()).toBe(true);
    expect(await rendered.locator('button[data-button="approve"]').isDisabled()).toBe(false);
    expect(await rendered.locator('[data-testid="loader"]').count()).toBe(0);
    expect((await env.emu.client.activity(env.p.memberId, id)).disabledButtons).toEqual(['reject']);
  });

  it('shows the badge of an open activity on the kanban card', async () => {
    await rest(
      env.p.clientEndpoint,
      'crm.activity.badge.add',
      { code: 'approval', title: 'Approval', value: 'Waiting', type: 'warning' },
      env.p.token,
    );
    await addActivity(sampleApprovalLayout(), { badgeCode: 'approval' });
    await page.goto(`${env.emu.url}/ui/portals/${env.p.memberId}`);
    const badge = page.locator('.kcard [data-testid="badge"]');
    await badge.waitFor();
    expect(await badge.textContent()).toBe('Approval: Waiting');
  });
});

describe('app page in the iframe', () => {
  it('installs through the UI: installer in the iframe, BX24.installFinish(), then the app page calling REST', async () => {
    const portal = await env.emu.client.createPortal({ name: 'UI portal' });
    const app = await env.emu.client.registerApp({
      name: 'Frame app',
      installUrl: `${env.receiver.url}/install`,
      appUrl: `${env.receiver.url}/app`,
    });
    const bx24 = `<script src="${env.emu.url}/bx24/api/v1/"></script>`;
    env.receiver.onRequest = (r) => {
      if (r.path === '/install') {
        return {
          body: `<html><body>${bx24}<p id="installer">installing ${r.body.member_id}</p><script>
BX24.init(() => BX24.callMethod('event.bind', { event: 'ONAPPINSTALL', handler: '${env.receiver.url}/events' }, () => BX24.installFinish()));
</script></body></html>`,
        };
      }
      if (r.path === '/app') {
        return {
          body: `<html><body>${bx24}<p id="app">app page ${r.body.PLACEMENT}</p><p id="me"></p><script>
BX24.init(() => BX24.callMethod('user.current', {}, (res) => { document.getElementById('me').textContent = res.data().NAME + ' ' + BX24.getAuth().member_id; }));
</script></body></html>`,
        };
      }
      return undefined;
    };
    await page.goto(`${env.emu.url}/ui/portals/${portal.memberId}`);
    await page.locator('li', { hasText: app.clientId }).locator('button', { hasText: 'Install' }).click();
    // the installer binds ONAPPINSTALL and calls installFinish; the parent reloads with the app page
    const frame = page.frameLocator('iframe.app-frame');
    await frame.locator('#app').waitFor({ timeout: 10_000 });
    await frame.locator('#me', { hasText: 'Admin' }).waitFor();
    expect(await frame.locator('#me').textContent()).toBe(`Admin ${portal.memberId}`);
    const [install] = await env.emu.client.waitForDeliveries({ event: 'ONAPPINSTALL', memberId: portal.memberId });
    expect(install?.url).toBe(`${env.receiver.url}/events`);
    // frame POSTs carry APP_SID in the query; event POSTs do not
    const frames = env.receiver.received.filter((r) => r.query.APP_SID !== undefined);
    expect(frames.map((r) => [r.path, r.query.DOMAIN, r.body.PLACEMENT])).toEqual([
      ['/install', portal.domain, 'DEFAULT'],
      ['/app', portal.domain, 'DEFAULT'],
    ]);
    expect((await env.emu.client.portal(portal.memberId)).apps).toEqual([
      expect.objectContaining({ clientId: app.clientId, installed: true }),
    ]);
    env.receiver.onRequest = undefined;
  });
});
