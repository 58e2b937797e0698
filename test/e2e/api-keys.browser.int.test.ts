import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type FrameLocator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyHeaders } from '../support/api-keys.js';
import { type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

// The app page's API keys view in Debian's Chromium, inside the emulator's portal page: an administrator issues a
// key (shown once, with copy buttons), sees it listed by prefix and last four, and revokes it. The front end must
// be built (npm run build); screenshots go to test-artifacts/app-page/.

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/app-page/', import.meta.url));
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];

let stack: Stack;
let p: InstalledPortal;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startStack();
  p = await stack.installedPortal();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const portalUrl = (path: string) => `http://${p.domain}${path}`;

async function openApp(userId: number, width: number): Promise<{ page: Page; app: FrameLocator }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.serverUrl });
  const page = await context.newPage();
  await page.goto(
    portalUrl(`/ui/portals/${p.memberId}/apps/${encodeURIComponent(stack.clientId)}?user=${userId}&lang=en`),
  );
  const app = page.frameLocator('iframe.app-frame');
  await app.locator('[data-app-ready]').waitFor();
  return { page, app };
}

const createWithKey = (apiKey: string, title: string) =>
  fetch(`${stack.serverUrl}/api/v1/approvals`, {
    method: 'POST',
    headers: keyHeaders(apiKey),
    body: JSON.stringify({ ownerTypeId: 2, ownerId: p.dealId, title }),
  });

describe('the API keys view (administrators)', () => {
  it('issues a key shown once with copy buttons, lists it by prefix and last four, and revokes it', async () => {
    const { page, app } = await openApp(p.adminUserId, 1200);
    await app.getByRole('tab', { name: /API keys/ }).click();
    await app.getByText('No API keys yet.').waitFor();

    // An empty name is refused with the field's message, and nothing is created.
    await app.getByTestId('key-create').click();
    await app.getByTestId('key-error').waitFor();
    expect(await stack.db.apiKey.count({ where: { portal: { memberId: p.memberId } } })).toBe(0);

    await app.getByTestId('key-name').fill('ERP');
    await app.getByTestId('key-create').click();
    await app.getByTestId('key-issued').waitFor();
    const apiKey = await app.getByTestId('issued-key').inputValue();
    const secret = await app.getByTestId('issued-secret').inputValue();
    expect(apiKey).toMatch(/^b24a_[A-Za-z0-9_-]{43}$/);
    expect(secret).toMatch(/^b24s_[A-Za-z0-9_-]{43}$/);
    await app.getByTestId('copy-key').click();
    await expect.poll(() => app.getByTestId('copy-key').textContent()).toContain('Copied');
    await app.getByTestId('copy-secret').click();
    await expect.poll(() => app.getByTestId('copy-secret').textContent()).toContain('Copied');
    await page.screenshot({ path: `${ARTIFACTS}api-keys-issued-1200.png`, fullPage: true, animations: 'disabled' });

    // The key shown works: it creates on this portal without naming it (accepted; no worker adds the card here).
    expect((await createWithKey(apiKey, 'From the browser key')).status).toBe(202);

    // Dismissed, the key is gone from the page; opened again, the list shows only its prefix and last four.
    await app.getByTestId('key-done').click();
    await app.getByTestId('key-issued').waitFor({ state: 'detached' });
    const row = app.locator('[data-testid="keys-table"] tbody tr', { hasText: 'ERP' });
    expect(await row.textContent()).toContain(`${apiKey.slice(0, 9)}…${apiKey.slice(-4)}`);
    await page.close();

    const again = await openApp(p.adminUserId, 1200);
    await again.app.getByRole('tab', { name: /API keys/ }).click();
    const listed = again.app.locator('[data-testid="keys-table"] tbody tr', { hasText: 'ERP' });
    await listed.waitFor();
    // Used a moment ago: the list says when (last_used_at is noted off the request path).
    await waitFor(async () => (await stack.db.apiKey.findFirstOrThrow({ where: { name: 'ERP' } })).lastUsedAt !== null);
    const html = await again.app.locator('body').innerHTML();
    expect(html).not.toContain(apiKey.slice(9, -4));
    expect(html).not.toContain(secret.slice(5));

    // Revoke, confirmed in the dialog: the row says so and the key is refused at once.
    await listed.getByRole('button', { name: 'Revoke' }).click();
    await again.app.getByTestId('confirm-delete').waitFor();
    await again.page.screenshot({ path: `${ARTIFACTS}api-keys-revoke-confirm-1200.png`, animations: 'disabled' });
    await again.app.getByTestId('confirm-delete').click();
    await again.app.getByTestId('confirm-delete').waitFor({ state: 'detached' });
    await expect.poll(() => listed.getByTestId('key-state').textContent()).toMatch(/^\s*Revoked/);
    expect(await listed.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    expect((await createWithKey(apiKey, 'After revoke')).status).toBe(401);
    await again.page.screenshot({
      path: `${ARTIFACTS}api-keys-revoked-1200.png`,
      fullPage: true,
      animations: 'disabled',
    });
    await again.page.close();
  });

  it('fits a 600 px frame: the issued key, the list', async () => {
    const { page, app } = await openApp(p.adminUserId, 600);
    await app.getByRole('tab', { name: /API keys/ }).click();
    await app.getByTestId('key-name').fill('Billing script with a long name');
    await app.getByTestId('key-create').click();
    await app.getByTestId('key-issued').waitFor();
    // The key's field and its copy button are both on screen, not cut off.
    const frameWidth = 600;
    for (const id of ['issued-key', 'copy-key', 'issued-secret', 'copy-secret']) {
      const box = await app.getByTestId(id).boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= frameWidth).toBe(true);
    }
    await page.screenshot({ path: `${ARTIFACTS}api-keys-issued-600.png`, fullPage: true, animations: 'disabled' });
    await app.getByTestId('key-done').click();
    await app.getByTestId('keys-table').waitFor();
    // Every row's Revoke button is on screen without scrolling the table sideways.
    for (const button of await app.getByRole('button', { name: 'Revoke' }).all()) {
      const box = await button.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= frameWidth).toBe(true);
    }
    await page.screenshot({ path: `${ARTIFACTS}api-keys-list-600.png`, fullPage: true, animations: 'disabled' });
    await page.close();
  });

  it('a non-admin has no API keys tab', async () => {
    const userId = (await stack.emu.createUser(p.memberId, { name: 'Olga Petrova', admin: false })).id;
    const { page, app } = await openApp(userId, 1200);
    await app.getByRole('tab', { name: /Approvals/ }).waitFor();
    expect(await app.getByRole('tab', { name: /API keys/ }).count()).toBe(0);
    await page.close();
  });
});
