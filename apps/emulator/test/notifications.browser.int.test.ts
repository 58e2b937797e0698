import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bbCodeToHtml } from '../src/ui/notifications-panel.js';
import { launchChromium } from './chromium.js';
import { portalWithApp, rest, useEmulator } from './helpers.js';

// The notifications panel (the bell) of the user a portal page is viewed as, in a real browser: im.notify.*
// notifications of that user only, newest first, the BB-code link rendered and leading to the item's page.

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/emulator/', import.meta.url));
const env = useEmulator({ resetReceiver: true });
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('notifications panel', () => {
  it('renders BB-codes safely', () => {
    expect(bbCodeToHtml('See [url=https://x.test/crm/deal/details/1/]Deal #1[/url] [b]now[/b]')).toBe(
      'See <a href="https://x.test/crm/deal/details/1/" target="_top">Deal #1</a> <b>now</b>',
    );
    expect(bbCodeToHtml('[url=javascript:alert(1)]x[/url] <script>')).toBe(
      '<a href="#" target="_top">x</a> &lt;script&gt;',
    );
  });

  it('shows the viewer’s notifications with the link rendered; the link opens the item', async () => {
    const p = await portalWithApp(env.emu, env.receiver, { scope: 'crm,im,user_brief' });
    const deal = await env.emu.client.createCrmItem(p.memberId, { entityTypeId: 2, title: 'Deal: 100 office chairs' });
    const anna = await env.emu.client.createUser(p.memberId, { name: 'Anna Approver' });
    const link = `http://${p.domain}/crm/deal/details/${deal.id}/`;
    for (const [userId, message] of [
      [
        anna.id,
        `An approval is waiting for you: “Discount 15%” on [url=${link}]Deal #${deal.id}[/url], requested by Ivan.`,
      ],
      [anna.id, 'Your approval request “Chairs” was [b]approved[/b] by Ivan.'],
      [1, 'Only for the admin'],
    ] as const) {
      const r = await rest(p.clientEndpoint, 'im.notify.system.add', { USER_ID: userId, MESSAGE: message }, p.token);
      expect(typeof r.body.result).toBe('number');
    }

    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    await page.goto(`${env.emu.url}/ui/portals/${p.memberId}/crm/2/${deal.id}?user=${anna.id}`);
    const panel = page.getByTestId('notifications');
    await panel.waitFor();
    expect(await page.getByTestId('notification-count').textContent()).toBe('2');
    const items = panel.getByTestId('notification');
    expect(await items.count()).toBe(2);
    // newest first; the admin's notification is not Anna's
    expect(await items.nth(0).locator('.notif-text').innerHTML()).toBe(
      'Your approval request “Chairs” was <b>approved</b> by Ivan.',
    );
    const a = items.nth(1).locator('a');
    expect(await a.textContent()).toBe(`Deal #${deal.id}`);
    expect(await a.getAttribute('href')).toBe(link);
    expect(await panel.textContent()).not.toContain('Only for the admin');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('.viewer-bar').screenshot({ path: `${ARTIFACTS}notifications-panel.png` });

    await a.click();
    await page.waitForURL(new RegExp(`/ui/portals/${p.memberId}/crm/2/${deal.id}$`));
    expect(await page.locator('h1').textContent()).toContain('Deal: 100 office chairs');
    await page.close();
  });
});
