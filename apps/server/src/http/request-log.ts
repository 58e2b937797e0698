import { randomUUID } from 'node:crypto';
import type { Logger } from '@b24app/core';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';

const INCOMING_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * One JSON line per request: method, path (never the query string), status, time, and a request
 * id (the caller's `X-Request-Id` when it is a plain token, else a new one; echoed back). Routes
 * add `res.locals.memberId` / `eventId`, so one click can be followed from here to its job line
 * (the job id is the event id). No headers and no bodies are logged; the logger redacts anyway.
 */
export function requestLog(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId(req, res) {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    wrapSerializers: false,
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?')[0],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customProps: (_req, res) => {
      const locals = (res as unknown as { locals?: Record<string, unknown> }).locals ?? {};
      return {
        ...(typeof locals.memberId === 'string' ? { memberId: locals.memberId } : {}),
        ...(typeof locals.eventId === 'string' ? { eventId: locals.eventId } : {}),
      };
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    // The probes are scraped every few seconds: not worth a line each.
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
  }) as unknown as RequestHandler;
}
