/**
 * /api/app/*: the app page's own API. Nothing answers without `Authorization: Bearer <session>` of a portal
 * that is still installed; routes parse with zod and delegate to the service, which scopes every query to
 * the session's portal. Errors go through the one error handler (stable codes, readable messages).
 */
import { AppError } from '@b24app/core';
import type { Db } from '@b24app/db';
import express, { type RequestHandler, Router } from 'express';
import { parseOrThrow } from '../http/validation.js';
import type { ApiKeysPageService } from './api-keys.service.js';
import {
  activityIdParam,
  apiKeyInputSchema,
  approvalListQuerySchema,
  badgeCodeParam,
  decisionInputSchema,
  requestApprovalSchema,
  settingsInputSchema,
  userSearchQuerySchema,
  uuidParam,
} from './app-api.schemas.js';
import type { AppApiService, SessionContext } from './app-api.service.js';
import type { AppSessionCodec } from './app-session.js';

const sessionOf = (res: { locals: Record<string, unknown> }) => res.locals.appSession as SessionContext;

export function appApiRoutes(deps: {
  db: Db;
  sessions: AppSessionCodec;
  api: AppApiService;
  apiKeys: ApiKeysPageService;
}): Router {
  const r = Router();
  const { api } = deps;

  const authenticate: RequestHandler = async (req, res, next) => {
    try {
      const header = req.get('authorization') ?? '';
      const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header);
      if (!match?.[1]) throw new AppError('UNAUTHORIZED', 'The app page session is missing; reopen the app');
      const session = deps.sessions.verify(match[1]);
      const portal = await deps.db.portal.findUnique({
        where: { id: session.portalId },
        select: { memberId: true, status: true, clientEndpoint: true },
      });
      if (!portal || portal.memberId !== session.memberId || portal.status === 'UNINSTALLED') {
        throw new AppError('UNAUTHORIZED', 'The app is no longer installed on this portal');
      }
      res.locals.appSession = { ...session, clientEndpoint: portal.clientEndpoint } satisfies SessionContext;
      res.set('Cache-Control', 'no-store');
      next();
    } catch (e) {
      next(e);
    }
  };

  const wrap =
    (fn: (req: express.Request, res: express.Response) => Promise<unknown>): RequestHandler =>
    async (req, res, next) => {
      try {
        const out = await fn(req, res);
        if (!res.headersSent) res.json(out ?? { ok: true });
      } catch (e) {
        next(e);
      }
    };

  r.use('/api/app', express.json({ limit: '32kb' }), authenticate);

  r.get(
    '/api/app/me',
    wrap(async (_req, res) => {
      const s = sessionOf(res);
      return { user: { id: s.userId, name: s.userName, admin: s.admin }, lang: s.lang, expiresAt: s.expiresAt };
    }),
  );
  r.post(
    '/api/app/session',
    wrap(async (req) => {
      const token = (req.get('authorization') ?? '').slice('Bearer '.length);
      return deps.sessions.renew(token);
    }),
  );

  r.get(
    '/api/app/badges',
    wrap(async (_req, res) => ({ badges: await api.listBadges(sessionOf(res)) })),
  );
  r.post(
    '/api/app/badges',
    wrap(async (req, res) => {
      res.status(201);
      return { badge: await api.addBadge(sessionOf(res), req.body) };
    }),
  );
  r.delete(
    '/api/app/badges/:code',
    wrap(async (req, res) => {
      const { code } = parseOrThrow(badgeCodeParam, req.params, 'badge code');
      await api.deleteBadge(sessionOf(res), code);
      return { ok: true };
    }),
  );

  r.get(
    '/api/app/settings',
    wrap(async (_req, res) => ({ settings: await api.getSettings(sessionOf(res)) })),
  );
  r.put(
    '/api/app/settings',
    wrap(async (req, res) => {
      const input = parseOrThrow(settingsInputSchema, req.body, 'settings');
      return { settings: await api.saveSettings(sessionOf(res), input) };
    }),
  );
  r.post(
    '/api/app/settings/default-badge',
    wrap(async (_req, res) => ({ settings: await api.createDefaultBadge(sessionOf(res)) })),
  );
  r.get(
    '/api/app/catalog',
    wrap(async (_req, res) => api.catalog(sessionOf(res))),
  );

  r.get(
    '/api/app/approvals',
    wrap(async (req, res) =>
      api.listApprovals(sessionOf(res), parseOrThrow(approvalListQuerySchema, req.query, 'query')),
    ),
  );
  r.post(
    '/api/app/approvals',
    wrap(async (req, res) => {
      const s = sessionOf(res);
      const input = parseOrThrow(requestApprovalSchema(s.lang), req.body, 'request');
      const created = await api.requestApproval(s, input);
      res.status(created.state === 'creating' ? 202 : 201);
      return { approval: created };
    }),
  );
  r.post(
    '/api/app/approvals/:id/decision',
    wrap(async (req, res) => {
      const s = sessionOf(res);
      const { id } = parseOrThrow(uuidParam, req.params, 'approval id');
      const input = parseOrThrow(decisionInputSchema(s.lang), req.body, 'decision');
      res.status(202);
      return api.decide(s, id, input);
    }),
  );
  r.get(
    '/api/app/users',
    wrap(async (req, res) => {
      const { q } = parseOrThrow(userSearchQuerySchema, req.query, 'query');
      return { users: await api.searchUsers(sessionOf(res), q || undefined) };
    }),
  );
  r.get(
    '/api/app/approvals/by-activity/:id',
    wrap(async (req, res) => {
      const { id } = parseOrThrow(activityIdParam, req.params, 'activity id');
      return api.approvalDetails(sessionOf(res), { activityId: id });
    }),
  );
  r.get(
    '/api/app/approvals/:id',
    wrap(async (req, res) => {
      const { id } = parseOrThrow(uuidParam, req.params, 'approval id');
      return api.approvalDetails(sessionOf(res), { id });
    }),
  );

  r.get(
    '/api/app/activities',
    wrap(async (_req, res) => ({ activities: await api.listActivities(sessionOf(res)) })),
  );
  r.delete(
    '/api/app/activities/:id',
    wrap(async (req, res) => {
      const { id } = parseOrThrow(activityIdParam, req.params, 'activity id');
      await api.deleteActivity(sessionOf(res), id);
      return { ok: true };
    }),
  );

  r.get(
    '/api/app/operations',
    wrap(async (_req, res) => api.operations(sessionOf(res))),
  );
  // Admins: the portal's own keys of the integrations API (the key and its secret are in the answer once).
  r.get(
    '/api/app/api-keys',
    wrap(async (_req, res) => ({ keys: await deps.apiKeys.list(sessionOf(res)) })),
  );
  r.post(
    '/api/app/api-keys',
    wrap(async (req, res) => {
      const input = parseOrThrow(apiKeyInputSchema, req.body, 'API key');
      const issued = await deps.apiKeys.issue(sessionOf(res), input);
      res.status(201);
      return issued;
    }),
  );
  r.delete(
    '/api/app/api-keys/:id',
    wrap(async (req, res) => {
      const { id } = parseOrThrow(uuidParam, req.params, 'API key id');
      await deps.apiKeys.revoke(sessionOf(res), id);
      return { ok: true };
    }),
  );

  r.post(
    '/api/app/operations/clicks/:id/replay',
    wrap(async (req, res) => {
      const { id } = parseOrThrow(uuidParam, req.params, 'click id');
      await api.replayClick(sessionOf(res), id);
      return { ok: true };
    }),
  );
  return r;
}
