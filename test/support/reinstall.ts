import { encodePhpForm } from '@b24app/emulator';
import type { InstalledPortal, Stack } from './stack.js';

/** The refresh token died (invalid_grant): the portal needs a reinstall and its tokens are gone. */
export async function markNeedsReinstall(stack: Stack, memberId: string): Promise<void> {
  await stack.db.portal.update({
    where: { memberId },
    data: { status: 'NEEDS_REINSTALL', accessTokenEnc: null, refreshTokenEnc: null },
  });
}

/** The portal admin opens the install page again (the frame POST with fresh tokens); answers its HTTP status. */
export async function reinstallFromPage(stack: Stack, q: InstalledPortal): Promise<number> {
  const t = await stack.emu.issueTokens(q.memberId, stack.clientId, q.adminUserId);
  const page = await fetch(`${stack.serverUrl}/b24/install?DOMAIN=${encodeURIComponent(q.domain)}&PROTOCOL=0`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: encodePhpForm({
      AUTH_ID: t.access_token,
      AUTH_EXPIRES: '3600',
      REFRESH_ID: t.refresh_token,
      SERVER_ENDPOINT: t.server_endpoint,
      member_id: q.memberId,
      PLACEMENT: 'DEFAULT',
    }),
  });
  await page.arrayBuffer();
  return page.status;
}
