import type { Server } from 'node:http';
import { configOrExit, createLogger, handleShutdown } from '@b24app/core';
import { createDb } from '@b24app/db';
import { assertQueuePrefixFits, createRedis } from '@b24app/jobs';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp } from './app.js';
import { loadServerConfig } from './config.js';
import { buildServerDeps } from './wiring.js';

// The only file that reads the environment: everything else gets its dependencies passed in.
const config = configOrExit('server', () => {
  const parsed = loadServerConfig(process.env);
  assertQueuePrefixFits(parsed.REDIS_URL, parsed.QUEUE_PREFIX);
  return parsed;
});

const logger = createLogger({ level: config.LOG_LEVEL, name: 'server' });
const db = createDb(config.DATABASE_URL, {
  poolSize: config.DATABASE_POOL_SIZE ?? 10,
  pgbouncer: config.DB_PGBOUNCER,
  connectionTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
  statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
  onIdleError: (err) => logger.warn({ err: { message: err.message } }, 'idle database connection lost'),
});
const redis = createRedis(config.REDIS_URL, 'producer');
redis.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis error'));
const metrics = new Registry();
collectDefaultMetrics({ register: metrics });

let stopping = false;
const deps = buildServerDeps({ config, logger, db, redis, metrics, isStopping: () => stopping });
const app = createApp(deps);

const server: Server = app.listen(config.PORT, config.HOST, () => {
  logger.info({ port: config.PORT }, 'server listening');
});
server.keepAliveTimeout = 5_000;

handleShutdown({
  logger,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  stop: async () => {
    stopping = true;
    // Stop accepting, let in-flight requests finish (they are short: intake only records and enqueues).
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    await deps.close();
    await Promise.allSettled([redis.quit(), db.$disconnect()]);
  },
});
