import type { Logger, ReadinessCheck } from '@b24app/core';
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { ServerConfig } from './config.js';
import { healthRoutes } from './health/health.routes.js';
import { errorHandler, notFound } from './http/error-handler.js';

export interface ServerDeps {
  config: ServerConfig;
  logger: Logger;
  metrics: Registry;
  readiness: Record<string, ReadinessCheck>;
  isStopping: () => boolean;
}

/** Builds the Express app from its dependencies. No I/O happens here; main.ts wires and listens. */
export function createApp(deps: ServerDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.use(healthRoutes({ checks: deps.readiness, isStopping: deps.isStopping, metrics: deps.metrics }));
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
