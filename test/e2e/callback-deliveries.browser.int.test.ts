import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHeaders, type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

// The card's Details shows what the decision owes the integration: the callback's attempts, how it ended and the
// last error, in the slider at its widest and narrowest (Debian's Chromium; the front end must be built).

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/app-page/', import.meta.url));
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];

let stack: Stack;
let p: InstalledPortal;
let browser: Browser;
let close: () => Promise<void>;
let receiverUrl: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startStack({ env: { API_SIGNING_SECRET: 'operator-signing-secret-0123456789abcdef' } });
  stack.startWorker({ CALLBACK_BACKOFF_MS: '50' });
  p = await stack.installedPortal();
  // The integration answers 503 twice, then 200.
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = ++n <= 2 ? 503 : 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  close = () => new Promise<void>((r) => server.close(() => r()));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await close?.();
  await stack?.close();
});

describe('app page: decision deliveries on the approval details', () => {
  it('shows the callback’s attempts and outcome in the card’s Details, at 1200 and 600 px', async () => {
    const res = await fetch(`${stack.serverUrl}/api/v1/approvals`, {
      method: 'POST',
      headers: apiHeaders,
      body: JSON.stringify({
        memberId: p.memberId,
        ownerTypeId: 2,
        ownerId: p.dealId,
        title: 'Discount with a callback',
        callbackUrl: receiverUrl,
      }),
    });
    expect(res.status).toBe(201);
    const a = (await res.json()) as { id: string; activityId: number };
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve' });
    await waitFor(
      async () => (await stack.db.approvalDelivery.findFirst({ where: { approvalId: a.id } }))?.state === 'DONE',
      20_000,
    );

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`http://${p.domain}/ui/portals/${p.memberId}/crm/2/${p.dealId}?user=${p.adminUserId}`);
    await page.locator(`[data-activity-id="${a.activityId}"] a[data-open-rest-app]`).first().click();
    const slider = page.frameLocator('.slider-frame').frameLocator('iframe.app-frame-embed');
    const row = slider.locator('[data-testid="details-deliveries"] tr[data-kind="callback"]');
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells.map((c) => c.replace(/\s+/g, ' ').trim())).toEqual(['Callback', 'done · sent', '3', '—']);
    await page.screenshot({ path: `${ARTIFACTS}details-callback-deliveries-1200.png` });
    await page.setViewportSize({ width: 600, height: 900 });
    await expect.poll(() => row.isVisible()).toBe(true);
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}details-callback-deliveries-600.png` });
    await page.close();
  });
});
