import type { BootData } from '../../apps/server/src/app-page/app-page-html.js';
import type { Stack } from './stack.js';

/** The frame POST Bitrix24 submits into the app page's iframe (protocol §1.2), with a user's own tokens. */
export async function openAppPage(
  stack: Stack,
  o: {
    memberId: string;
    domain: string;
    userId: number;
    authId?: string;
    lang?: string;
    placementOptions?: Record<string, string>;
    /** a placement's handler instead of the app page (default /b24/app with DEFAULT) */
    path?: string;
    placement?: string;
  },
): Promise<{ status: number; html: string; boot: BootData | null; accessToken: string }> {
  const tokens = o.authId
    ? { access_token: o.authId, refresh_token: 'r'.repeat(40) }
    : await stack.emu.issueTokens(o.memberId, stack.clientId, o.userId);
  const accessToken = tokens.access_token;
  const query = new URLSearchParams({ DOMAIN: o.domain, PROTOCOL: '0', LANG: o.lang ?? 'en', APP_SID: 'test' });
  const res = await fetch(`${stack.serverUrl}${o.path ?? '/b24/app'}?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      AUTH_ID: accessToken,
      AUTH_EXPIRES: '3600',
      REFRESH_ID: tokens.refresh_token,
      member_id: o.memberId,
      status: 'L',
      PLACEMENT: o.placement ?? 'DEFAULT',
      PLACEMENT_OPTIONS: JSON.stringify(o.placementOptions ?? {}),
    }).toString(),
  });
  const html = await res.text();
  const m = /<script id="app-boot" type="application\/json">(.*?)<\/script>/s.exec(html);
  return { status: res.status, html, boot: m?.[1] ? (JSON.parse(m[1]) as BootData) : null, accessToken };
}

export function appApi(stack: Stack, session: string | null) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.serverUrl}/api/app${path}`, {
      method,
      headers: {
        ...(session ? { authorization: `Bearer ${session}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    // biome-ignore lint/suspicious/noExplicitAny: the JSON of many endpoints, asserted field by field
    return { status: res.status, json: json as any };
  };
}
