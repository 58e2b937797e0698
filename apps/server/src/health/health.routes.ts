import {
  AppError,
  checkReadiness,
  type Logger,
  operatorAuthorized,
  type ReadinessCheck,
  readinessBody,
} from '@b24app/core';
import { Router } from 'express';
import type { Registry } from 'prom-client';

/**
 * The probes. /healthz is open (liveness says nothing); /readyz answers its status to anyone and
 * which dependency failed (a stable code) to an operator; /metrics is for operators only.
 */
export function healthRoutes(deps: {
  checks: Record<string, ReadinessCheck>;
  isStopping: () => boolean;
  metrics: Registry;
  metricsToken: string | undefined;
  logger: Logger;
}): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', async (req, res) => {
    if (deps.isStopping()) {
      res.status(503).json({ status: 'stopping' });
      return;
    }
    const result = await checkReadiness(deps.checks);
    if (!result.ok) deps.logger.warn({ checks: result.checks, reasons: result.reasons }, 'not ready');
    const detailed = operatorAuthorized(req.get('authorization'), deps.metricsToken);
    res.status(result.ok ? 200 : 503).json(readinessBody(result, detailed));
  });
  r.get('/metrics', async (req, res) => {
    if (!operatorAuthorized(req.get('authorization'), deps.metricsToken)) {
      throw new AppError('UNAUTHORIZED', 'missing or invalid bearer token');
    }
    res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });
  return r;
}
