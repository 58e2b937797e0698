import { appApi, openAppPage } from './app-page.js';
import type { InstalledPortal, Stack } from './stack.js';

export interface IssuedKey {
  id: string;
  apiKey: string;
  signingSecret: string;
}

/** The app page's API as the portal's administrator (a real frame POST, a real session). */
export async function adminApi(stack: Stack, p: InstalledPortal, userId = p.adminUserId) {
  const page = await openAppPage(stack, { memberId: p.memberId, domain: p.domain, userId });
  if (!page.boot) throw new Error(`app page refused: ${page.status}`);
  return appApi(stack, page.boot.session);
}

/** A portal API key issued the way an administrator does on the app page. */
export async function issueApiKey(stack: Stack, p: InstalledPortal, name = 'ERP'): Promise<IssuedKey> {
  const res = await (await adminApi(stack, p))('POST', '/api-keys', { name });
  if (res.status !== 201) throw new Error(`issue API key: ${res.status} ${JSON.stringify(res.json)}`);
  return { id: res.json.key.id, apiKey: res.json.apiKey, signingSecret: res.json.signingSecret };
}

export const keyHeaders = (apiKey: string) => ({
  authorization: `Bearer ${apiKey}`,
  'content-type': 'application/json',
});
