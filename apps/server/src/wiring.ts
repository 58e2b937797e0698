import { createTokenCipher, type Logger } from '@b24app/core';
import { createTimelineEventsRepository, type Db } from '@b24app/db';
import { createPortalClientsFromConfig, type PortalClients } from '@b24app/bitrix24';
import {
  createClickProducer,
  duplicateRedis,
  type RedisConnection,
  timelineActionJob,
  timelineActionJobOptions,
} from '@b24app/jobs';
import { Queue } from 'bullmq';
import type { Registry } from 'prom-client';
import type { ServerDeps } from './app.js';
import { createApprovalService } from './approvals/approval.service.js';
import { buildAppPage } from './app-page/app-page.wiring.js';
import { createApplicationTokenVerifier } from './b24/application-token-verifier.js';
import { createFailedCheckLimiter } from './b24/failed-check-limiter.js';
import { createHostPolicy } from './b24/host-policy.js';
import type { ServerConfig } from './config.js';
import { reconcileEventBindings } from './install/event-bindings.js';
import { createInstallService } from './install/install.service.js';
import { createAppInfoFetcher } from './install/oauth-app-info.js';
import { createPortalAdminCheck } from './install/portal-admin-check.js';
import { createUninstallService } from './install/uninstall.service.js';
import { createServerMetrics } from './observability/server-metrics.js';
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
  const producer = createClickProducer(queue, {
    jobOptions: timelineActionJobOptions({
      attempts: config.CLICK_JOB_ATTEMPTS,
      backoffMs: config.CLICK_JOB_BACKOFF_MS,
    }),
    admission: (memberId) => limiter.reserve(memberId),
  });
  const timeline = createTimelineIntake({ clicks, producer, cipher, verifier, logger });

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
    bindEvents: async (memberId) => {
      await reconcileEventBindings(await clients.get(memberId), handlerUrl, logger);
    },
    forgetClient: forget,
    logger,
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
    uninstall: createUninstallService({ db, clicks, tokens: store, forgetClient: forget, logger }),
    timeline,
    approvals: createApprovalService({
      db,
      clients,
      logger,
      waitMs: config.APPROVAL_CREATE_WAIT_MS,
      // Longer than an add can last: 4 attempts (packages/bitrix24 DEFAULT_RETRY), each a slot wait and a request.
      claimTtlMs: 4 * (5_000 + config.B24_REQUEST_TIMEOUT_MS) + 10_000,
    }),
    queue,
    queues: [queue],
    clients,
    close: async () => {
      await timeline.flush();
      clients.close();
      await queue.close();
      await verifier.close();
    },
  };
}
