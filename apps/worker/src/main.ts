import { createLogger, handleShutdown } from '@b24app/core';
import { createDb, pingDb } from '@b24app/db';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadWorkerConfig, type WorkerConfig } from './config.js';
import { createHealthServer } from './health-server.js';
import { startWorkerRuntime } from './worker-runtime.js';

// The only file that reads the environment: everything else gets its dependencies passed in.
let config: WorkerConfig;
try {
  config = loadWorkerConfig(process.env);
} catch (e) {
  console.error(`worker: ${(e as Error).message}`);
  process.exit(1);
}

const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
// Each running click holds one connection for its per-activity lock and uses a second for its queries.
const db = createDb(config.DATABASE_URL, {
  poolSize: config.WORKER_CONCURRENCY * 2 + 4,
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
