import { configOrExit, createLogger, handleShutdown } from '@b24app/core';
import { createDb, pingDb } from '@b24app/db';
import { assertQueuePrefixFits } from '@b24app/jobs';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadWorkerConfig } from './config.js';
import { createHealthServer } from './health-server.js';
import { startWorkerRuntime } from './worker-runtime.js';

// The only file that reads the environment: everything else gets its dependencies passed in.
const config = configOrExit('worker', () => {
  const parsed = loadWorkerConfig(process.env);
  assertQueuePrefixFits(parsed.REDIS_URL, parsed.QUEUE_PREFIX);
  return parsed;
});

const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
// Clicks spend most of their time waiting on Bitrix24, not on the database: a modest pool serves many.
const db = createDb(config.DATABASE_URL, {
  poolSize: config.DATABASE_POOL_SIZE ?? Math.min(config.WORKER_CONCURRENCY + 4, 40),
  pgbouncer: config.DB_PGBOUNCER,
  connectionTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
  statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
  onIdleError: (err) => logger.warn({ err: { message: err.message } }, 'idle database connection lost'),
});
const metrics = new Registry();
collectDefaultMetrics({ register: metrics });

const runtime = startWorkerRuntime({ config, db, logger, metrics });

let stopping = false;
const health = createHealthServer({
  checks: {
    database: () => pingDb(db),
    redis: () => runtime.pingRedis(),
  },
  isStopping: () => stopping,
  metrics,
  metricsToken: config.METRICS_TOKEN,
  logger,
});
health.listen(config.WORKER_HEALTH_PORT, () => {
  logger.info({ port: config.WORKER_HEALTH_PORT, concurrency: config.WORKER_CONCURRENCY }, 'worker started');
});

handleShutdown({
  logger,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  stop: async () => {
    stopping = true;
    await runtime.close();
    await new Promise<void>((resolve) => health.close(() => resolve()));
    await db.$disconnect();
  },
});
