import { checkReadiness, type ReadinessCheck } from '@b24app/core';
import { Router } from 'express';
import type { Registry } from 'prom-client';

export function healthRoutes(deps: {
  checks: Record<string, ReadinessCheck>;
  isStopping: () => boolean;
  metrics: Registry;
}): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', async (_req, res) => {
    if (deps.isStopping()) {
      res.status(503).json({ status: 'stopping' });
      return;
    }
    const result = await checkReadiness(deps.checks);
    res.status(result.ok ? 200 : 503).json({ status: result.ok ? 'ready' : 'not ready', checks: result.checks });
  });
  r.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });
  return r;
}
