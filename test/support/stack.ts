import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, createTokenCipher, type Logger } from '@b24app/core';
import { createDb, type Db } from '@b24app/db';
import { type EmulatorClient, type RunningEmulator, startEmulator } from '@b24app/emulator';
import { createRedis, type RedisConnection } from '@b24app/jobs';
import {
  captureLogs,
  randomMemberId,
  TEST_DATABASE_URL,
  TEST_ENCRYPTION_KEY,
  TEST_REDIS_URL,
  waitFor,
} from '@b24app/testing';
import type { Express } from 'express';
import { Registry } from 'prom-client';
import { createApp } from '../../apps/server/src/app.js';
import { loadServerConfig, type ServerConfig } from '../../apps/server/src/config.js';
import { buildServerDeps } from '../../apps/server/src/wiring.js';
import { loadWorkerConfig } from '../../apps/worker/src/config.js';
import { createIsolatedDatabase, type IsolatedDatabase } from './isolated-database.js';
import type { ActionHandlerRegistry } from '../../apps/worker/src/timeline/action-handlers/index.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../apps/worker/src/worker-runtime.js';
import { type ApprovalJobs, startApprovalJobs } from '../../apps/worker/src/approval-jobs.runtime.js';

/**
 * The whole product on real infrastructure: the emulator as Bitrix24, our server and (optionally)
 * our worker in this process, on the test PostgreSQL and Redis. Each stack has its own app
 * credentials and its own queue prefix, so test files running in parallel never share jobs.
 */
export interface Stack {
  emulator: RunningEmulator;
  emu: EmulatorClient;
  serverUrl: string;
  /** The in-process server's express app (its routes, e.g. to compare with the OpenAPI document). */
  app: Express;
  config: ServerConfig;
  /** The environment the server was configured from; a worker process started with it joins this stack. */
  env: Record<string, string>;
  db: Db;
  redis: RedisConnection;
  logs: ReturnType<typeof captureLogs>;
  /** The Prometheus registries: the server's (also on its /metrics) and the last started worker's. */
  metrics: { server: Registry; worker: Registry };
  clientId: string;
  clientSecret: string;
  worker?: WorkerRuntime;
  startWorker(overrides?: Record<string, string>, opts?: { actions?: ActionHandlerRegistry }): WorkerRuntime;
  /** A demo portal with our app installed through the emulator (page + ONAPPINSTALL). */
  installedPortal(opts?: { limits?: { burst?: number; drainPerSec?: number } }): Promise<InstalledPortal>;
  close(): Promise<void>;
}

export interface InstalledPortal {
  memberId: string;
  domain: string;
  adminUserId: number;
  applicationToken: string;
  dealId: number;
}

let seq = 0;

export async function startStack(
  opts: {
    worker?: boolean;
    /**
     * The approval creation job's consumer in this process, without a worker: the API's creates get their
     * activity while the test starts (or kills) its own worker for clicks. Default false.
     */
    creator?: boolean;
    env?: Record<string, string>;
    logLevel?: string;
    /** A fresh database of this stack's own (see isolated-database.ts), dropped on close. Default true. */
    isolatedDatabase?: boolean;
    /** Use this emulator (e.g. one in its own process, for benchmarks) instead of starting one in-process. */
    emulator?: RunningEmulator;
    /** Rewrites the stack's database URL (e.g. through PgBouncer); migrations still run on the direct one. */
    databaseUrlVia?: (url: string) => string;
    /**
     * What answers on `serverUrl` (given the in-process app): e.g. a balancer in front of server processes
     * started with `env`. Default: the in-process app.
     */
    frontend?: (app: RequestListener) => RequestListener;
  } = {},
): Promise<Stack> {
  const isolated: IsolatedDatabase | null = (opts.isolatedDatabase ?? true) ? await createIsolatedDatabase() : null;
  const directUrl = isolated?.url ?? TEST_DATABASE_URL;
  const databaseUrl = opts.databaseUrlVia?.(directUrl) ?? directUrl;
  const emulator = opts.emulator ?? (await startEmulator({ port: 0, logger: false }));
  const emuUrl = new URL(emulator.url);
  const logs = captureLogs(opts.logLevel ?? 'debug');
  const logger: Logger = logs.logger;
  const clientId = `local.test${process.pid}${Date.now()}.${++seq}`;
  const clientSecret = `secret-${Math.random().toString(36).slice(2)}`;

  const http: Server = createServer();
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const serverUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    APP_URL: serverUrl,
    B24_CLIENT_ID: clientId,
    B24_CLIENT_SECRET: clientSecret,
    TOKEN_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    B24_OAUTH_HOSTS: emuUrl.host,
    B24_PORTAL_HOSTS: '127.0.0.1:*',
    B24_ALLOW_HTTP: 'true',
    API_TOKEN: 'test-api-token-0123456789',
    B24_JS_SDK_URL: `${emulator.url}/bx24/api/v1/`,
    LOG_LEVEL: 'debug',
    QUEUE_PREFIX: `test${process.pid}x${seq}`,
    WORKER_CONCURRENCY: '8',
    WORKER_LOCK_DURATION_MS: '5000',
    RELAY_INTERVAL_MS: '200',
    SWEEP_INTERVAL_MS: '500',
    SWEEP_STALE_AFTER_MS: '5000',
    ...opts.env,
  };
  const config = loadServerConfig(env);
  const db = createDb(databaseUrl, { poolSize: 30, pgbouncer: config.DB_PGBOUNCER });
  // The stack's own REDIS_URL (a test may point it at a private redis-server), not the shared default.
  const redis = createRedis(env.REDIS_URL ?? TEST_REDIS_URL, 'producer');
  redis.on('error', () => {});
  const metrics = { server: new Registry(), worker: new Registry() };
  const deps = buildServerDeps({ config, logger, db, redis, metrics: metrics.server, isStopping: () => false });
  const app = createApp(deps);
  http.on('request', opts.frontend?.(app) ?? app);

  await emulator.client.registerApp({
    clientId,
    clientSecret,
    installUrl: `${serverUrl}/b24/install`,
    installEventUrl: `${serverUrl}/b24/events`,
    appUrl: `${serverUrl}/b24/app`,
    scope: 'crm,user_brief,placement,bizproc,im',
    withUi: true,
  });

  const stack: Stack = {
    emulator,
    emu: emulator.client,
    serverUrl,
    app,
    config,
    env,
    db,
    redis,
    logs,
    metrics,
    clientId,
    clientSecret,
    startWorker(overrides = {}, o = {}) {
      const workerConfig = loadWorkerConfig({ ...env, ...overrides });
      metrics.worker = new Registry();
      stack.worker = startWorkerRuntime({
        config: workerConfig,
        db,
        logger,
        metrics: metrics.worker,
        ...(o.actions ? { actions: o.actions } : {}),
      });
      return stack.worker;
    },
    async installedPortal(o = {}) {
      const portal = await emulator.client.createPortal({
        memberId: randomMemberId(),
        ...(o.limits ? { limits: o.limits } : {}),
      });
      const installed = await emulator.client.installApp(portal.memberId, clientId, { userId: portal.adminUserId });
      await emulator.client.waitForDeliveries({ memberId: portal.memberId, event: 'ONAPPINSTALL' });
      await waitFor(
        async () => (await db.portal.findUnique({ where: { memberId: portal.memberId } }))?.eventsBoundAt != null,
      );
      const deal = await emulator.client.createCrmItem(portal.memberId, {
        entityTypeId: 2,
        title: 'Deal for approval',
      });
      return {
        memberId: portal.memberId,
        domain: portal.domain,
        adminUserId: portal.adminUserId,
        applicationToken: installed.applicationToken,
        dealId: deal.id,
      };
    },
    async close() {
      await creator?.close();
      await creatorRedis?.quit().catch(() => {});
      await stack.worker?.close();
      await deps.close();
      await new Promise<void>((r) => http.close(() => r()));
      http.closeAllConnections();
      await emulator.close();
      await redis.quit().catch(() => {});
      await db.$disconnect();
      await isolated?.drop();
    },
  };
  if (opts.worker) stack.startWorker();
  let creator: ApprovalJobs | null = null;
  let creatorRedis: RedisConnection | null = null;
  if (opts.creator) {
    creatorRedis = createRedis(env.REDIS_URL ?? TEST_REDIS_URL, 'worker');
    creatorRedis.on('error', () => {});
    creator = startApprovalJobs({
      config: loadWorkerConfig(env),
      db,
      connection: creatorRedis,
      clients: deps.clients,
      cipher: createTokenCipher(config.TOKEN_ENCRYPTION_KEY, config.TOKEN_ENCRYPTION_KEYS_OLD ?? []),
      logger,
      only: 'creates',
    });
  }
  return stack;
}

/** the suite's one bounded poll (packages/testing), re-exported for the e2e tests */
export { waitFor };

export const apiHeaders = { authorization: 'Bearer test-api-token-0123456789', 'content-type': 'application/json' };

export { createLogger };
