import { type RequestHandler, Router } from 'express';
import type { ServerMetrics } from '../observability/server-metrics.js';
import { eventOutcomeOf } from '../observability/server-metrics.js';
import { formBody, formOf } from '../http/form-body.js';
import { parseOrThrow } from '../http/validation.js';
import type { InstallService } from '../install/install.service.js';
import type { UninstallService } from '../install/uninstall.service.js';
import type { TimelineIntake } from '../timeline/timeline-intake.service.js';
import { bitrixEventSchema, normaliseEventName } from './bitrix-event.schemas.js';

export interface EventRouteDeps {
  install: InstallService;
  uninstall: UninstallService;
  timeline: TimelineIntake;
  metrics?: Pick<ServerMetrics, 'event'>;
}

/** POST /b24/events: every Bitrix24 event we bind. Parse, verify, delegate; answer as soon as it is durable. */
export function eventRoutes(deps: EventRouteDeps): Router {
  const r = Router();
  r.post('/b24/events', observe(deps.metrics), formBody, async (req, res) => {
    const form = formOf(res);
    const event = parseOrThrow(bitrixEventSchema, { ...form, event: normaliseEventName(form.event) }, 'event');
    res.locals.memberId = event.auth.member_id.toLowerCase();
    switch (event.event) {
      case 'ONAPPINSTALL':
      case 'ONAPPUPDATE': {
        const a = event.auth;
        await deps.install.install({
          source: event.event,
          memberId: a.member_id.toLowerCase(),
          domain: a.domain.toLowerCase(),
          clientEndpoint: a.client_endpoint,
          serverEndpoint: a.server_endpoint,
          accessToken: a.access_token,
          refreshToken: a.refresh_token,
          expiresAt: a.expires ?? Math.floor(Date.now() / 1000) + (a.expires_in ?? 3600),
          applicationToken: a.application_token,
          scope: a.scope,
          eventTs: event.ts,
        });
        res.json({ ok: true });
        return;
      }
      case 'ONAPPUNINSTALL':
        await deps.uninstall.uninstall({
          memberId: event.auth.member_id.toLowerCase(),
          applicationToken: event.auth.application_token,
          clean: event.data?.CLEAN === '1',
          eventTs: event.ts,
        });
        res.json({ ok: true });
        return;
      case 'ONCRMTIMELINEITEMACTION': {
        const accepted = await deps.timeline.accept(event, req.ip === undefined ? {} : { ip: req.ip });
        res.locals.duplicate = accepted.duplicate;
        res.locals.eventId = accepted.eventId;
        res.json({ ok: true, duplicate: accepted.duplicate });
        return;
      }
    }
  });
  return r;
}

/** Counts each answered event by type and outcome, and times it, once the answer is sent. */
function observe(metrics: EventRouteDeps['metrics']): RequestHandler {
  return (_req, res, next) => {
    if (!metrics) return next();
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const form = res.locals.form as Record<string, unknown> | undefined;
      const type = typeof form?.event === 'string' ? normaliseEventName(form.event) : 'other';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.event(String(type), eventOutcomeOf(res.statusCode, res.locals.duplicate === true), seconds);
    });
    next();
  };
}
