import type { IncomingMessage, ServerResponse } from 'node:http';
import { type EmulatorContext, oauthDomain } from '../emulator-context.js';
import { corsHeaders, parseRestPath } from '../rest/portal-rest.handler.js';
import { newHex32 } from '../state/ids.js';
import type { Portal } from '../state/model.js';

// Everything a portal's own listener answers: REST, the OAuth authorize page, and redirects of portal
// URLs (`/`, `/crm/deal/details/1/`) to the emulator's UI.

type RestHandler = (
  portal: Portal,
  req: IncomingMessage,
  res: ServerResponse,
  path: NonNullable<ReturnType<typeof parseRestPath>>,
) => Promise<unknown>;

// An item's page on a portal: /crm/<lead|deal|contact|company>/details/<id>/, a smart process's
// /crm/type/<entityTypeId>/details/<id>/ (the links Bitrix24 and apps put in notifications).
const DETAIL_PATH = /^\/crm\/(lead|deal|contact|company)\/details\/(\d+)\/?$/;
const TYPE_DETAIL_PATH = /^\/crm\/type\/(\d+)\/details\/(\d+)\/?$/;
const TYPE_IDS: Record<string, number> = { lead: 1, deal: 2, contact: 3, company: 4 };

function text(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location });
  res.end();
}

/** /oauth/authorize/?client_id=…&state=… (emulator extra: user_id, default the admin): redirects with a code. */
function authorize(ctx: EmulatorContext, portal: Portal, url: URL, res: ServerResponse): void {
  const clientId = url.searchParams.get('client_id') ?? '';
  const app = ctx.state.apps.get(clientId);
  const userId = Number(url.searchParams.get('user_id') ?? 1);
  if (!app || !ctx.state.installation(portal.memberId, clientId) || !portal.users.has(userId)) {
    text(res, 400, 'The application is not installed on this portal or the user is unknown.');
    return;
  }
  const code = newHex32();
  ctx.state.authCodes.set(code, {
    code,
    memberId: portal.memberId,
    clientId,
    userId,
    expiresAtMs: ctx.now() + ctx.settings.authCodeTtlSec * 1000,
    used: false,
  });
  const target = new URL(app.appUrl);
  target.searchParams.set('code', code);
  const state = url.searchParams.get('state');
  if (state !== null) target.searchParams.set('state', state);
  target.searchParams.set('domain', portal.domain);
  target.searchParams.set('member_id', portal.memberId);
  target.searchParams.set('scope', app.scope);
  target.searchParams.set('server_domain', oauthDomain(ctx));
  redirect(res, target.toString());
}

/** The emulator's pages, served on the portal's own origin too: the frame protocol checks the parent's origin. */
const UI_PATH = /^\/(ui|assets|bx24)\//;

export function portalRequestHandler(
  ctx: EmulatorContext,
  rest: RestHandler,
  portal: Portal,
  ui?: (req: IncomingMessage, res: ServerResponse) => void,
) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, corsHeaders());
      res.end();
      return;
    }
    const restPath = parseRestPath(url.pathname);
    if (restPath) {
      void rest(portal, req, res, restPath);
      return;
    }
    const pathname = url.pathname.replace(/\/{2,}/g, '/');
    if (pathname === '/oauth/authorize' || pathname === '/oauth/authorize/') {
      authorize(ctx, portal, url, res);
      return;
    }
    if (ui && UI_PATH.test(pathname)) {
      ui(req, res);
      return;
    }
    const detail = DETAIL_PATH.exec(pathname);
    const typed = TYPE_DETAIL_PATH.exec(pathname);
    if (detail || typed) {
      const typeId = detail ? TYPE_IDS[detail[1] as string] : typed?.[1];
      const id = (detail ?? typed)?.[2];
      redirect(res, `${ctx.mainUrl}/ui/portals/${portal.memberId}/crm/${typeId}/${id}${url.search}`);
    } else if (pathname === '/') {
      redirect(res, `${ctx.mainUrl}/ui/portals/${portal.memberId}`);
    } else {
      text(res, 404, 'Not found');
    }
  };
}
