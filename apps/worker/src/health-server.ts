import { createServer, type Server } from 'node:http';
import { checkReadiness, type ReadinessCheck } from '@b24app/core';
import type { Registry } from 'prom-client';

/** The worker has no HTTP API; this tiny server answers the operators' probes only. */
export function createHealthServer(deps: {
  checks: Record<string, ReadinessCheck>;
  isStopping: () => boolean;
  metrics: Registry;
}): Server {
  return createServer((req, res) => {
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (req.method !== 'GET') return send(405, { error: { code: 'BAD_REQUEST', message: 'GET only' } });
    if (req.url === '/healthz') return send(200, { status: 'ok' });
    if (req.url === '/readyz') {
      if (deps.isStopping()) return send(503, { status: 'stopping' });
      void checkReadiness(deps.checks).then((r) =>
        send(r.ok ? 200 : 503, { status: r.ok ? 'ready' : 'not ready', checks: r.checks }),
      );
      return;
    }
    if (req.url === '/metrics') {
      void deps.metrics.metrics().then((m) => send(200, m, deps.metrics.contentType));
      return;
    }
    send(404, { error: { code: 'NOT_FOUND', message: 'not found' } });
  });
}
