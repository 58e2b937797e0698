import { callbackPolicyOf } from '@b24app/callbacks';
import { createTokenCipher, type Logger } from '@b24app/core';
import {
  createApiKeysRepository,
  createApprovalsRepository,
  createRobotRunsRepository,
  createTimelineEventsRepository,
  type Db,
} from '@b24app/db';
import { createPortalClientsFromConfig, type PortalClients } from '@b24app/bitrix24';
import {
  approvalCreatedChannel,
  approvalCreateJob,
  createApprovalCreateProducer,
  createClickProducer,
  duplicateRedis,
  type RedisConnection,
  timelineActionJob,
  timelineActionJobOptions,
} from '@b24app/jobs';
import { Queue } from 'bullmq';
import type { Registry } from 'prom-client';
import type { ServerDeps } from './app.js';
import { createApiKeyRateLimiter } from './api-keys/api-key-rate-limiter.js';
import { createApprovalService } from './approvals/approval.service.js';
import { createApprovalCreatedWaiter } from './approvals/approval-created-waiter.js';
import { buildAppPage } from './app-page/app-page.wiring.js';
import { createApplicationTokenVerifier } from './b24/application-token-verifier.js';
import { createFailedCheckLimiter } from './b24/failed-check-limiter.js';
import { createHostPolicy } from './b24/host-policy.js';
import type { ServerConfig } from './config.js';
import { reconcileEventBindings } from './install/event-bindings.js';
import { reconcilePlacementBindings } from './install/placement-bindings.js';
import { createInstallService } from './install/install.service.js';
import { reconcileRobotsUnlessUnscoped } from './install/robot-registration.js';
import { createAppInfoFetcher } from './install/oauth-app-info.js';
import { createPortalAdminCheck } from './install/portal-admin-check.js';
import { createUninstallService } from './install/uninstall.service.js';
import { createServerMetrics } from './observability/server-metrics.js';
import { createRobotRunIntake } from './robots/robot-run.service.js';
import { createTimelineIntake } from './timeline/timeline-intake.service.js';

/**
 * Composes the server's services from config and live connections. main.ts owns the connections;
 * tests call this with their own (real) ones.
 */
export function buildServerDeps(opts: {
  config: ServerConfig;
  logger: Logger;
  db: Db;
  redis: RedisConnection;
  metrics: Registry;
  isStopping: () => boolean;
  fetchImpl?: typeof fetch;
}): ServerDeps & { queue: Queue; clients: PortalClients; close: () => Promise<void> } {
  const { config, logger, db, redis } = opts;
  // headroom is read at scrape time only, after `limiter` below exists.
  const serverMetrics = createServerMetrics(opts.metrics, { headroom: (ids) => limiter.headroom(ids) });
  const { cipher, store, limiter, clients } = createPortalClientsFromConfig(config, {
    db,
    redis,
    observer: serverMetrics.portal,
    logger,
    ...(opts.fetchImpl ? { fetch: opts.fetchImpl } : {}),
  });
  const queue = new Queue(timelineActionJob.queue, { connection: redis, prefix: config.QUEUE_PREFIX });
  queue.on('error', (err) => logger.warn({ err: { message: err.message } }, 'queue error'));
  const handlerUrl = `${config.APP_URL}/b24/events`;
  const robotHandlerUrl = `${config.APP_URL}/b24/robot`;
  const verifier = createApplicationTokenVerifier({
    db,
    redis,
    // SUBSCRIBE takes a connection of its own; it queues while Redis is away and resubscribes itself.
    subscriber: duplicateRedis(redis, { enableOfflineQueue: true, maxRetriesPerRequest: null, autoResubscribe: false }),
    channel: `${config.QUEUE_PREFIX}:application-token-changed`,
    limiter: createFailedCheckLimiter({ maxFailures: config.EVENT_AUTH_FAILURES_PER_MINUTE, windowMs: 60_000 }),
    logger,
  });
  const forget = (memberId: string) => {
    clients.forget(memberId);
    verifier.forget(memberId);
  };
  const clicks = createTimelineEventsRepository(db);
  // Signing secrets are sealed with the key ring of the portal tokens.
  const apiKeys = createApiKeysRepository(db, cipher);
  const producer = createClickProducer(queue, {
    jobOptions: timelineActionJobOptions({
      attempts: config.CLICK_JOB_ATTEMPTS,
      backoffMs: config.CLICK_JOB_BACKOFF_MS,
    }),
    admission: (memberId) => limiter.reserve(memberId),
  });
  const timeline = createTimelineIntake({ clicks, producer, cipher, verifier, logger });
  const createQueue = new Queue(approvalCreateJob.queue, { connection: redis, prefix: config.QUEUE_PREFIX });
  createQueue.on('error', (err) => logger.warn({ err: { message: err.message } }, 'queue error'));
  const approvalsRepo = createApprovalsRepository(db);
  const robotRuns = createRobotRunsRepository(db, approvalsRepo);
  const createProducer = createApprovalCreateProducer(createQueue);
  const robots = createRobotRunIntake({
    verifier,
    runs: robotRuns,
    producer: createProducer,
    cipher,
    logger,
  });

  const hostPolicy = createHostPolicy({
    oauthHosts: config.B24_OAUTH_HOSTS,
    portalHosts: config.B24_PORTAL_HOSTS,
    allowHttp: config.B24_ALLOW_HTTP,
  });
  const fetchAppInfo = createAppInfoFetcher(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {});
  const install = createInstallService({
    db,
    clicks,
    tokens: store,
    hostPolicy,
    fetchAppInfo,
    checkPortalAdmin: createPortalAdminCheck(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}),
    clientId: config.B24_CLIENT_ID,
    bindEvents: async (memberId, { installerId }) => {
      const client = await clients.get(memberId);
      await reconcileEventBindings(client, handlerUrl, logger);
      await reconcilePlacementBindings(client, config.APP_URL, logger);
      await reconcileRobotsUnlessUnscoped(client, { handlerUrl: robotHandlerUrl, authUserId: installerId, logger });
    },
    forgetClient: forget,
    logger,
  });

  const createdWaiter = createApprovalCreatedWaiter({
    subscriber: duplicateRedis(redis, { enableOfflineQueue: true, maxRetriesPerRequest: null, autoResubscribe: false }),
    channel: approvalCreatedChannel(config.QUEUE_PREFIX),
    logger,
  });
  const approvals = createApprovalService({
    db,
    approvals: approvalsRepo,
    producer: createProducer,
    waiter: createdWaiter,
    logger,
    waitMs: config.APPROVAL_CREATE_WAIT_MS,
    callbacks: { policy: callbackPolicyOf(config), operatorCanSign: config.API_SIGNING_SECRET !== undefined },
  });
  const appPage = buildAppPage({
    db,
    // The session's copy of the user token is sealed with the same key ring as the stored portal tokens.
    cipher: createTokenCipher(config.TOKEN_ENCRYPTION_KEY, config.TOKEN_ENCRYPTION_KEYS_OLD ?? []),
    sessionSecret: config.TOKEN_ENCRYPTION_KEY[0] ?? '',
    sessionTtlSec: config.APP_SESSION_TTL_SEC,
    hostPolicy,
    fetchAppInfo,
    clientId: config.B24_CLIENT_ID,
    requestTimeoutMs: config.B24_REQUEST_TIMEOUT_MS,
    clicks,
    apiKeys,
    producer,
    clickCipher: cipher,
    approvals,
    logger,
    pageDir: config.APP_PAGE_DIR,
    ...(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}),
  });

  return {
    config,
    logger,
    appPage,
    metrics: opts.metrics,
    serverMetrics,
    isStopping: opts.isStopping,
    readiness: {
      database: async () => void (await db.$queryRaw`SELECT 1`),
      redis: async () => void (await redis.ping()),
    },
    install,
    uninstall: createUninstallService({ db, clicks, apiKeys, robotRuns, tokens: store, forgetClient: forget, logger }),
    timeline,
    approvals,
    apiKeys,
    apiKeyLimiter: createApiKeyRateLimiter(redis, {
      perSecond: config.API_KEY_RATE_PER_S,
      burst: config.API_KEY_RATE_BURST,
    }),
    robots,
    queue,
    queues: [queue, createQueue],
    clients,
    close: async () => {
      await timeline.flush();
      clients.close();
      await queue.close();
      await createQueue.close();
      await verifier.close();
      await createdWaiter.close();
    },
  };
}
