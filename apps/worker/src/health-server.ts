import { createServer, type Server } from 'node:http';
import {
  checkReadiness,
  errorBody,
  AppError,
  type Logger,
  operatorAuthorized,
  type ReadinessCheck,
  readinessBody,
} from '@b24app/core';
import type { Registry } from 'prom-client';

/**
 * The worker has no HTTP API; this tiny server answers the operators' probes only, with the
 * server's rules: /healthz open, /readyz details and /metrics for the operator's token.
 */
export function createHealthServer(deps: {
  checks: Record<string, ReadinessCheck>;
  isStopping: () => boolean;
  metrics: Registry;
  metricsToken: string | undefined;
  logger: Logger;
}): Server {
  return createServer((req, res) => {
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const operator = operatorAuthorized(req.headers.authorization, deps.metricsToken);
    if (req.method !== 'GET') return send(405, errorBody(new AppError('BAD_REQUEST', 'GET only')));
    if (req.url === '/healthz') return send(200, { status: 'ok' });
    if (req.url === '/readyz') {
      if (deps.isStopping()) return send(503, { status: 'stopping' });
      void checkReadiness(deps.checks).then((r) => {
        if (!r.ok) deps.logger.warn({ checks: r.checks, reasons: r.reasons }, 'not ready');
        send(r.ok ? 200 : 503, readinessBody(r, operator));
      });
      return;
    }
    if (req.url === '/metrics') {
      if (!operator) return send(401, errorBody(new AppError('UNAUTHORIZED', 'missing or invalid bearer token')));
      void deps.metrics.metrics().then((m) => send(200, m, deps.metrics.contentType));
      return;
    }
    send(404, errorBody(new AppError('NOT_FOUND', 'not found')));
  });
}
