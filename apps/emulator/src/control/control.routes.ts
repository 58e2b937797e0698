import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { registerApp } from '../apps/app-registry.js';
import { endRun, runRobot } from '../bizproc/robot-runner.js';
import { type EmulatorContext, waitIdle } from '../emulator-context.js';
import { deliverHeld } from '../events/event-dispatcher.js';
import { addHold, clearHolds, heldDeliveries } from '../events/event-holds.js';
import { finishInstall, installApp, uninstallApp } from '../install/install-service.js';
import { expireTokens, issueTokens, revokeTokens, tokenResponse } from '../oauth/token-service.js';
import { addCrmItem, addCrmType, addUser, type CreatePortalInput, setLimits } from '../portal/portal-service.js';
import { addFailure, clearFailures } from '../rest/failure-injection.js';
import { newHex32 } from '../state/ids.js';
import type { Portal } from '../state/model.js';
import { clickAction } from '../timeline/click-service.js';
import { ControlError, controlErrors } from './control-error.js';
import {
  clickSchema,
  clockSchema,
  createCrmItemSchema,
  createCrmTypeSchema,
  createPortalSchema,
  createUserSchema,
  createWebhookSchema,
  endRunSchema,
  failureSchema,
  holdSchema,
  installSchema,
  issueTokensSchema,
  limitsSchema,
  logQuerySchema,
  registerAppSchema,
  releaseAllSchema,
  releaseSchema,
  runRobotSchema,
  settingsSchema,
  tokensSchema,
  uninstallSchema,
} from './control.schemas.js';
import { activityView, portalView } from './views.js';

// The control API under /_emulator: thin routes that parse with zod and call the emulator's services.

export interface EmulatorRuntime {
  ctx: EmulatorContext;
  createPortal(input: CreatePortalInput): Promise<Portal>;
  reset(): Promise<void>;
}

function portalOf(ctx: EmulatorContext, memberId: string | undefined): Portal {
  const portal = memberId ? ctx.state.portals.get(memberId) : undefined;
  if (!portal) throw controlErrors.portalNotFound(String(memberId));
  return portal;
}

export function controlRoutes(rt: EmulatorRuntime): Router {
  const { ctx } = rt;
  const r = Router();
  r.use(express.json({ limit: '5mb' }));

  // Liveness for docker-compose and scripts.
  r.get('/health', (_req, res) => {
    res.json({ status: 'ok', portals: ctx.state.portals.size });
  });

  r.post('/portals', async (req, res) => {
    const portal = await rt.createPortal(createPortalSchema.parse(req.body ?? {}));
    res.status(201).json(portalView(ctx, portal));
  });
  r.get('/portals', (_req, res) => {
    res.json([...ctx.state.portals.values()].map((p) => portalView(ctx, p)));
  });
  r.get('/portals/:memberId', (req, res) => {
    res.json(portalView(ctx, portalOf(ctx, req.params.memberId)));
  });
  r.post('/portals/:memberId/users', (req, res) => {
    const user = addUser(portalOf(ctx, req.params.memberId), createUserSchema.parse(req.body ?? {}));
    res.status(201).json(user);
  });
  r.post('/portals/:memberId/crm-items', (req, res) => {
    const item = addCrmItem(ctx, portalOf(ctx, req.params.memberId), createCrmItemSchema.parse(req.body ?? {}));
    res.status(201).json({ id: item.id, entityTypeId: item.entityTypeId, title: item.title });
  });
  r.post('/portals/:memberId/crm-types', (req, res) => {
    const type = addCrmType(ctx, portalOf(ctx, req.params.memberId), createCrmTypeSchema.parse(req.body ?? {}));
    res.status(201).json(type);
  });
  r.post('/portals/:memberId/webhooks', (req, res) => {
    const portal = portalOf(ctx, req.params.memberId);
    const { userId = 1 } = createWebhookSchema.parse(req.body ?? {});
    if (!portal.users.has(userId)) throw controlErrors.userNotFound(userId);
    const code = newHex32().slice(0, 16);
    portal.webhooks.set(code, { code, userId });
    res.status(201).json({ url: `http://${portal.domain}/rest/${userId}/${code}/`, userId, code });
  });

  r.post('/apps', (req, res) => {
    const app = registerApp(ctx, registerAppSchema.parse(req.body ?? {}));
    res.status(201).json(app);
  });
  r.get('/apps', (_req, res) => {
    res.json([...ctx.state.apps.values()]);
  });
  r.post('/portals/:memberId/apps/:clientId/install', async (req, res) => {
    res.json(await installApp(ctx, req.params.memberId, req.params.clientId, installSchema.parse(req.body ?? {})));
  });
  r.post('/portals/:memberId/apps/:clientId/install-finish', async (req, res) => {
    await finishInstall(ctx, req.params.memberId, req.params.clientId);
    res.json({ ok: true });
  });
  r.post('/portals/:memberId/apps/:clientId/uninstall', async (req, res) => {
    await uninstallApp(ctx, req.params.memberId, req.params.clientId, uninstallSchema.parse(req.body ?? {}));
    res.json({ ok: true });
  });

  r.post('/portals/:memberId/click', async (req, res) => {
    const portal = portalOf(ctx, req.params.memberId);
    const click = clickAction(ctx, portal, clickSchema.parse(req.body ?? {}));
    const deliveries = await click.deliveries;
    res.json({
      delivered: deliveries.length,
      statuses: deliveries.map((d) => d.status),
      lockId: click.lock?.id ?? null,
    });
  });
  r.get('/portals/:memberId/activities', (req, res) => {
    const portal = portalOf(ctx, req.params.memberId);
    res.json([...portal.activities.values()].map((a) => activityView(ctx, portal, a)));
  });
  r.get('/portals/:memberId/activities/:id', (req, res) => {
    const portal = portalOf(ctx, req.params.memberId);
    const id = Number(req.params.id);
    const a = portal.activities.get(id);
    if (!a) throw controlErrors.activityNotFound(id);
    res.json(activityView(ctx, portal, a));
  });

  r.get('/portals/:memberId/robots', (req, res) => {
    res.json([...portalOf(ctx, req.params.memberId).robots.values()]);
  });
  r.post('/portals/:memberId/robots/run', async (req, res) => {
    const started = runRobot(ctx, portalOf(ctx, req.params.memberId), runRobotSchema.parse(req.body ?? {}));
    const delivery = await started.delivery;
    res.status(201).json({ run: started.run, delivery });
  });
  r.get('/portals/:memberId/robot-runs', (req, res) => {
    res.json([...portalOf(ctx, req.params.memberId).robotRuns.values()]);
  });
  r.get('/portals/:memberId/robot-runs/:id', (req, res) => {
    const run = portalOf(ctx, req.params.memberId).robotRuns.get(Number(req.params.id));
    if (!run) throw new ControlError('ROBOT_RUN_NOT_FOUND', `No robot run ${req.params.id}`, 404);
    res.json(run);
  });
  r.post('/portals/:memberId/robot-runs/:id/end', (req, res) => {
    const { as } = endRunSchema.parse(req.body ?? {});
    res.json(endRun(portalOf(ctx, req.params.memberId), Number(req.params.id), as, ctx.now()));
  });
  r.get('/portals/:memberId/placements', (req, res) => {
    res.json(portalOf(ctx, req.params.memberId).placements);
  });
  r.get('/portals/:memberId/notifications', (req, res) => {
    const userId = req.query.userId === undefined ? undefined : Number(req.query.userId);
    res.json(
      portalOf(ctx, req.params.memberId).notifications.filter((n) => userId === undefined || n.userId === userId),
    );
  });

  r.post('/portals/:memberId/tokens/expire', (req, res) => {
    portalOf(ctx, req.params.memberId);
    const { clientId } = tokensSchema.parse(req.body ?? {});
    res.json({ count: expireTokens(ctx, req.params.memberId, clientId) });
  });
  r.post('/portals/:memberId/tokens/revoke', (req, res) => {
    portalOf(ctx, req.params.memberId);
    const { clientId } = tokensSchema.parse(req.body ?? {});
    res.json({ count: revokeTokens(ctx, req.params.memberId, clientId) });
  });
  r.post('/portals/:memberId/tokens/issue', (req, res) => {
    const portal = portalOf(ctx, req.params.memberId);
    const { clientId, userId = 1 } = issueTokensSchema.parse(req.body ?? {});
    const inst = ctx.state.installation(portal.memberId, clientId);
    if (!inst) throw controlErrors.notInstalled();
    if (!portal.users.has(userId)) throw controlErrors.userNotFound(userId);
    const pair = issueTokens(ctx, { memberId: portal.memberId, clientId, userId });
    res.json({ ...tokenResponse(ctx, pair), application_token: inst.applicationToken, client_id: clientId });
  });
  r.put('/portals/:memberId/limits', (req, res) => {
    const portal = portalOf(ctx, req.params.memberId);
    setLimits(portal, limitsSchema.parse(req.body ?? {}), ctx.now());
    res.json(portal.limits);
  });

  r.post('/failures', (req, res) => {
    const f = failureSchema.parse(req.body ?? {});
    const rule = addFailure(ctx, {
      memberId: f.memberId ?? null,
      method: f.method.toLowerCase(),
      remaining: f.count ?? null,
      kind: f.kind,
      phase: f.phase ?? 'before',
      error: f.error
        ? { code: f.error.code, description: f.error.description ?? f.error.code, status: f.error.status ?? 400 }
        : null,
      delayMs: f.delayMs ?? 0,
      whenParam: f.whenParam ?? null,
    });
    res.status(201).json(rule);
  });
  r.get('/failures', (_req, res) => {
    res.json(ctx.state.failures);
  });
  r.delete('/failures', (_req, res) => {
    res.json({ cleared: clearFailures(ctx) });
  });
  r.delete('/failures/:id', (req, res) => {
    res.json({ cleared: clearFailures(ctx, Number(req.params.id)) });
  });

  r.post('/holds', (req, res) => {
    const h = holdSchema.parse(req.body ?? {});
    res.status(201).json(addHold(ctx, { memberId: h.memberId ?? null, event: h.event, remaining: h.count ?? null }));
  });
  r.get('/holds', (_req, res) => {
    res.json(ctx.state.holds);
  });
  r.delete('/holds', (_req, res) => {
    res.json({ cleared: clearHolds(ctx) });
  });
  r.delete('/holds/:id', (req, res) => {
    res.json({ cleared: clearHolds(ctx, Number(req.params.id)) });
  });
  r.get('/held', (req, res) => {
    const q = logQuerySchema.parse(req.query);
    res.json(heldDeliveries(ctx, q));
  });
  r.post('/held/deliver', async (req, res) => {
    const { ts, ...q } = releaseAllSchema.parse(req.body ?? {});
    const ids = heldDeliveries(ctx, q).map((h) => h.id);
    const sent = ids.map((id) => deliverHeld(ctx, id, { ts })).filter((p) => p !== null);
    res.json(await Promise.all(sent));
  });
  r.post('/held/:id/deliver', async (req, res) => {
    const id = Number(req.params.id);
    const sent = deliverHeld(ctx, id, releaseSchema.parse(req.body ?? {}));
    if (!sent) throw controlErrors.heldNotFound(id);
    res.json(await sent);
  });

  r.get('/calls', (req, res) => {
    const q = logQuerySchema.parse(req.query);
    res.json(
      ctx.state.calls
        .filter((c) => (!q.memberId || c.memberId === q.memberId) && (!q.method || c.method === q.method.toLowerCase()))
        .filter(
          (c) => (!q.host || c.host === q.host || c.kind === q.host) && (q.since === undefined || c.seq > q.since),
        )
        .sort((a, b) => a.seq - b.seq),
    );
  });
  r.get('/deliveries', (req, res) => {
    const q = logQuerySchema.parse(req.query);
    res.json(
      ctx.state.deliveries.filter(
        (d) =>
          (!q.memberId || d.memberId === q.memberId) &&
          (!q.event || d.event === q.event.toUpperCase()) &&
          (q.since === undefined || d.seq > q.since),
      ),
    );
  });
  r.get('/locks', (req, res) => {
    const q = logQuerySchema.parse(req.query);
    res.json(ctx.state.locks.filter((l) => !q.memberId || l.memberId === q.memberId));
  });
  r.get('/oauth-stats', (_req, res) => {
    res.json(ctx.state.oauthStats);
  });
  r.get('/settings', (_req, res) => {
    res.json(ctx.settings);
  });
  r.patch('/settings', (req, res) => {
    Object.assign(ctx.settings, settingsSchema.parse(req.body ?? {}));
    res.json(ctx.settings);
  });
  r.get('/clock', (_req, res) => {
    res.json({ now: ctx.now(), offsetMs: ctx.clock.offsetMs });
  });
  r.post('/clock', (req, res) => {
    ctx.clock.advance(clockSchema.parse(req.body ?? {}).advanceMs);
    res.json({ now: ctx.now(), offsetMs: ctx.clock.offsetMs });
  });
  r.post('/idle', async (_req, res) => {
    res.json({ idle: await waitIdle(ctx) });
  });
  r.post('/reset', async (_req, res) => {
    await rt.reset();
    res.json({ ok: true });
  });

  r.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof ControlError) return res.status(err.status).json({ error: err.code, message: err.message });
    if (err instanceof z.ZodError)
      return res.status(400).json({ error: 'INVALID_INPUT', message: z.prettifyError(err) });
    ctx.logger.warn(`[emulator] control API error: ${(err as Error).message}`);
    return res.status(500).json({ error: 'INTERNAL', message: (err as Error).message });
  });
  return r;
}
