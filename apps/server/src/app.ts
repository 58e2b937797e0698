import type { Logger, ReadinessCheck } from '@b24app/core';
import type { ApiKeysRepository } from '@b24app/db';
import type { Queue } from 'bullmq';
import express, { type Express } from 'express';
import { queueBoardRoutes } from './admin/queue-board.routes.js';
import type { ApiKeyRateLimiter } from './api-keys/api-key-rate-limiter.js';
import type { Registry } from 'prom-client';
import { appApiRoutes } from './app-page/app-api.routes.js';
import { appPageRoutes } from './app-page/app-page.routes.js';
import { placementPageRoutes } from './app-page/placement-page.routes.js';
import type { AppPageDeps } from './app-page/app-page.wiring.js';
import type { ApprovalService } from './approvals/approval.service.js';
import { approvalRoutes } from './approvals/approvals.routes.js';
import type { ServerConfig } from './config.js';
import { eventRoutes } from './events/events.routes.js';
import { healthRoutes } from './health/health.routes.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { integrationAuth } from './http/integration-auth.js';
import { requestLog } from './http/request-log.js';
import { installRoutes } from './install/install.routes.js';
import type { InstallService } from './install/install.service.js';
import type { UninstallService } from './install/uninstall.service.js';
import type { ServerMetrics } from './observability/server-metrics.js';
import { openApiRoutes } from './openapi/openapi.routes.js';
import type { RobotRunIntake } from './robots/robot-run.service.js';
import { robotRoutes } from './robots/robot.routes.js';
import type { TimelineIntake } from './timeline/timeline-intake.service.js';

export interface ServerDeps {
  config: Pick<ServerConfig, 'API_TOKEN' | 'B24_JS_SDK_URL' | 'TRUST_PROXY' | 'METRICS_TOKEN'>;
  logger: Logger;
  metrics: Registry;
  /** The hooks of the metric families in `metrics` (observability/server-metrics.ts). */
  serverMetrics?: ServerMetrics;
  readiness: Record<string, ReadinessCheck>;
  isStopping: () => boolean;
  install: InstallService;
  uninstall: UninstallService;
  timeline: TimelineIntake;
  approvals: ApprovalService;
  /** Portal API keys of the integrations API (verified on every /api/v1 request) and their rate limit. */
  apiKeys: Pick<ApiKeysRepository, 'verify'>;
  apiKeyLimiter: ApiKeyRateLimiter;
  /** Runs of the request_approval robot (POST /b24/robot). */
  robots: RobotRunIntake;
  /** Shown on Bull Board (/admin/queues) to operators. */
  queues?: readonly Queue[];
  appPage: AppPageDeps;
}

/** Builds the Express app from its dependencies. No I/O happens here; main.ts wires and listens. */
export function createApp(deps: ServerDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.TRUST_PROXY);
  app.set('query parser', 'simple'); // flat query strings only; Bitrix24 sends four scalar fields
  app.use(requestLog(deps.logger));
  app.use(
    healthRoutes({
      checks: deps.readiness,
      isStopping: deps.isStopping,
      metrics: deps.metrics,
      metricsToken: deps.config.METRICS_TOKEN,
      logger: deps.logger,
    }),
  );
  app.use(installRoutes({ install: deps.install, bx24Url: deps.config.B24_JS_SDK_URL, logger: deps.logger }));
  app.use(
    eventRoutes({
      install: deps.install,
      uninstall: deps.uninstall,
      timeline: deps.timeline,
      ...(deps.serverMetrics ? { metrics: deps.serverMetrics } : {}),
    }),
  );
  app.use(robotRoutes({ robots: deps.robots }));
  app.use(appPageRoutes({ ...deps.appPage, logger: deps.logger }));
  app.use(placementPageRoutes({ ...deps.appPage, logger: deps.logger }));
  app.use(
    appApiRoutes({
      db: deps.appPage.db,
      sessions: deps.appPage.sessions,
      api: deps.appPage.api,
      apiKeys: deps.appPage.apiKeys,
    }),
  );
  // The document is open (it describes the API, it grants nothing); every other /api/v1 route needs a key.
  app.use(openApiRoutes());
  app.use(
    approvalRoutes({
      approvals: deps.approvals,
      auth: integrationAuth({ apiToken: deps.config.API_TOKEN, keys: deps.apiKeys, limiter: deps.apiKeyLimiter }),
    }),
  );
  if (deps.queues?.length) app.use(queueBoardRoutes({ queues: deps.queues, apiToken: deps.config.API_TOKEN }));
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
