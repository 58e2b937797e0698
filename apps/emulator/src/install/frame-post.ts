import { type EmulatorContext, oauthServerEndpoint } from '../emulator-context.js';
import { issueTokens } from '../oauth/token-service.js';
import { newHex32 } from '../state/ids.js';
import type { FrameSession } from '../state/model.js';

// The frame POST Bitrix24 submits into the app's iframe (installer, app page, placements):
// DOMAIN, PROTOCOL, LANG, APP_SID in the query; AUTH_ID … PLACEMENT_OPTIONS in the form body.

export function openFrameSession(
  ctx: EmulatorContext,
  p: {
    memberId: string;
    clientId: string;
    userId: number;
    placement?: string;
    placementOptions?: Record<string, unknown>;
    lang?: string;
    install?: boolean;
  },
): FrameSession {
  const pair = issueTokens(ctx, p);
  const portal = ctx.state.portals.get(p.memberId);
  const session: FrameSession = {
    sid: newHex32(),
    memberId: p.memberId,
    clientId: p.clientId,
    userId: p.userId,
    accessToken: pair.access.token,
    refreshToken: pair.refresh.token,
    expiresIn: ctx.settings.accessTokenTtlSec,
    placement: p.placement ?? 'DEFAULT',
    placementOptions: p.placementOptions ?? {},
    lang: p.lang ?? portal?.lang ?? 'en',
    install: p.install ?? false,
  };
  ctx.state.frameSessions.set(session.sid, session);
  return session;
}

export function frameQuery(ctx: EmulatorContext, s: FrameSession): Record<string, string> {
  const portal = ctx.state.portals.get(s.memberId);
  return { DOMAIN: portal?.domain ?? '', PROTOCOL: '0', LANG: s.lang, APP_SID: s.sid };
}

export function frameBody(ctx: EmulatorContext, s: FrameSession): Record<string, string> {
  const app = ctx.state.apps.get(s.clientId);
  const inst = ctx.state.installation(s.memberId, s.clientId);
  const body: Record<string, string> = {
    AUTH_ID: s.accessToken,
    AUTH_EXPIRES: String(s.expiresIn),
    REFRESH_ID: s.refreshToken,
  };
  if (!ctx.settings.legacyFramePost) {
    body.SERVER_ENDPOINT = oauthServerEndpoint(ctx);
    body.APPLICATION_TOKEN = inst?.applicationToken ?? '';
    body.APPLICATION_SCOPE = app?.scope ?? '';
  }
  body.member_id = s.memberId;
  body.status = app?.status ?? 'L';
  body.PLACEMENT = s.placement;
  body.PLACEMENT_OPTIONS = JSON.stringify(s.placementOptions);
  return body;
}

export function frameUrl(ctx: EmulatorContext, base: string, s: FrameSession): string {
  const url = new URL(base);
  for (const [k, v] of Object.entries(frameQuery(ctx, s))) url.searchParams.set(k, v);
  return url.toString();
}

/** What a browser does with the hidden form; used when no browser is involved (control API installs). */
export async function postFrame(
  ctx: EmulatorContext,
  base: string,
  s: FrameSession,
): Promise<{ status: number; error: string | null }> {
  try {
    const res = await fetch(frameUrl(ctx, base, s), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(frameBody(ctx, s)).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(ctx.settings.deliveryTimeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.status, error: null };
  } catch (e) {
    return { status: 0, error: (e as Error).name === 'TimeoutError' ? 'TIMEOUT' : 'NETWORK_ERROR' };
  }
}
