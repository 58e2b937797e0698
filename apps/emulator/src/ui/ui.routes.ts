import { fileURLToPath } from 'node:url';
import express, { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { ControlError, controlErrors } from '../control/control-error.js';
import type { EmulatorContext } from '../emulator-context.js';
import { detailActivityPlacement } from '../crm/detail-placement.js';
import { openFrameSession } from '../install/frame-post.js';
import { findCrmItem } from '../portal/portal-service.js';
import type { Portal } from '../state/model.js';
import { clickAction } from '../timeline/click-service.js';
import { robotRunsView } from './automation-panel.js';
import {
  appPage,
  embeddedAppPage,
  homePage,
  itemPage,
  logPage,
  portalPage,
  timelineActivities,
  UI_LANGS,
  type Viewer,
} from './pages.js';

// The browser UI: portals, the CRM item page with its timeline, the app page in an iframe, the log.
// Clicking in the timeline goes through the same click service as the control API.

const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

const clickBody = z.object({
  activityId: z.number().int().positive(),
  actionId: z.string().min(1),
  location: z.enum(['button', 'menu', 'tag', 'title', 'logo', 'link']).optional(),
  key: z.string().optional(),
  userId: z.number().int().positive().optional(),
});

function portalOf(ctx: EmulatorContext, memberId: string | undefined): Portal {
  const portal = memberId ? ctx.state.portals.get(memberId) : undefined;
  if (!portal) throw controlErrors.portalNotFound(String(memberId));
  return portal;
}

function viewer(req: Request, portal: Portal): Viewer {
  const userId = Number(req.query.user ?? 1);
  const lang = String(req.query.lang ?? portal.lang);
  return {
    userId: portal.users.has(userId) ? userId : 1,
    lang: (UI_LANGS as readonly string[]).includes(lang) ? lang : portal.lang,
  };
}

function html(res: Response, body: string): void {
  res.type('html').send(body);
}

export function uiRoutes(ctx: EmulatorContext): Router {
  const r = Router();
  r.use('/assets', express.static(PUBLIC_DIR, { maxAge: 0 }));

  r.get('/', (_req, res) => html(res, homePage(ctx)));
  r.get('/ui/log', (req, res) =>
    html(res, logPage(ctx, typeof req.query.memberId === 'string' ? req.query.memberId : undefined)),
  );

  r.get('/ui/portals/:memberId', (req, res) => {
    const portal = portalOf(ctx, req.params.memberId);
    html(res, portalPage(ctx, portal, viewer(req, portal)));
  });

  r.get('/ui/portals/:memberId/crm/:typeId/:id', (req, res) => {
    const portal = portalOf(ctx, req.params.memberId);
    const item = findCrmItem(portal, Number(req.params.typeId), Number(req.params.id));
    if (!item) throw new ControlError('CRM_ITEM_NOT_FOUND', 'No such CRM item', 404);
    html(res, itemPage(ctx, portal, item, viewer(req, portal)));
  });

  r.get('/ui/api/portals/:memberId/crm/:typeId/:id/timeline', (req, res) => {
    const portal = portalOf(ctx, req.params.memberId);
    const item = findCrmItem(portal, Number(req.params.typeId), Number(req.params.id));
    if (!item) throw new ControlError('CRM_ITEM_NOT_FOUND', 'No such CRM item', 404);
    res.json({ activities: timelineActivities(ctx, portal, item, viewer(req, portal)) });
  });

  r.get('/ui/api/portals/:memberId/crm/:typeId/:id/robot-runs', (req, res) => {
    const portal = portalOf(ctx, req.params.memberId);
    const item = findCrmItem(portal, Number(req.params.typeId), Number(req.params.id));
    if (!item) throw new ControlError('CRM_ITEM_NOT_FOUND', 'No such CRM item', 404);
    res.json(robotRunsView(portal, item, viewer(req, portal).lang));
  });

  r.post('/ui/api/portals/:memberId/click', express.json(), (req, res) => {
    const portal = portalOf(ctx, req.params.memberId);
    const click = clickAction(ctx, portal, clickBody.parse(req.body ?? {}));
    // the browser does not wait for the app: the lock shows at once, the event goes out in the background
    void click.deliveries;
    res.json({ ok: true, lockId: click.lock?.id ?? null });
  });

  r.get('/ui/portals/:memberId/apps/:clientId', (req, res) => {
    const portal = portalOf(ctx, req.params.memberId);
    const app = ctx.state.apps.get(req.params.clientId);
    if (!app) throw controlErrors.appNotFound(req.params.clientId);
    const inst = ctx.state.installation(portal.memberId, app.clientId);
    if (!inst) throw controlErrors.notInstalled();
    const v = viewer(req, portal);
    let placementOptions: Record<string, unknown> = {};
    if (typeof req.query.placementOptions === 'string') {
      try {
        placementOptions = JSON.parse(req.query.placementOptions) as Record<string, unknown>;
      } catch {
        placementOptions = {};
      }
    }
    // until installFinish the installer opens, afterwards the app page
    const session = openFrameSession(ctx, {
      memberId: portal.memberId,
      clientId: app.clientId,
      userId: v.userId,
      lang: v.lang,
      placementOptions,
      install: !inst.installed,
    });
    const target = inst.installed ? app.appUrl : app.installUrl;
    html(
      res,
      req.query.embed === '1'
        ? embeddedAppPage(ctx, portal, session, target, v)
        : appPage(ctx, portal, session, target, v),
    );
  });

  // A placement's widget (CRM_XXX_DETAIL_ACTIVITY from the item's timeline menu): the frame POST of that placement
  // to the app's handler, with PLACEMENT_OPTIONS {"ID": "<item id>"} as Bitrix24 sends it.
  r.get('/ui/portals/:memberId/placements/:placementId', (req, res) => {
    const portal = portalOf(ctx, req.params.memberId);
    const binding = portal.placements.find((p) => p.id === Number(req.params.placementId));
    if (!binding) throw new ControlError('PLACEMENT_NOT_FOUND', 'No such placement handler', 404);
    const inst = ctx.state.installation(portal.memberId, binding.clientId);
    if (!inst) throw controlErrors.notInstalled();
    const item = findCrmItem(portal, Number(req.query.entityTypeId), Number(req.query.entityId));
    if (!item || detailActivityPlacement(item.entityTypeId) !== binding.placement) {
      throw new ControlError('CRM_ITEM_NOT_FOUND', 'No CRM item of this placement', 404);
    }
    const v = viewer(req, portal);
    const session = openFrameSession(ctx, {
      memberId: portal.memberId,
      clientId: binding.clientId,
      userId: v.userId,
      lang: v.lang,
      placement: binding.placement,
      placementOptions: { ID: String(item.id) },
    });
    html(
      res,
      req.query.embed === '1'
        ? embeddedAppPage(ctx, portal, session, binding.handler, v)
        : appPage(ctx, portal, session, binding.handler, v),
    );
  });

  r.use((err: unknown, _req: Request, res: Response, next: (e?: unknown) => void) => {
    if (res.headersSent) return next(err);
    if (err instanceof ControlError) return res.status(err.status).json({ error: err.code, message: err.message });
    if (err instanceof z.ZodError)
      return res.status(400).json({ error: 'INVALID_INPUT', message: z.prettifyError(err) });
    return next(err);
  });
  return r;
}
