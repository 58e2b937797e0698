import { createLogger, handleShutdown } from '@b24app/core';
import { createDb, pingDb } from '@b24app/db';
import { createRedis, timelineActionJob } from '@b24app/jobs';
import { Worker } from 'bullmq';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadWorkerConfig, type WorkerConfig } from './config.js';
import { createHealthServer } from './health-server.js';

// The only file that reads the environment: everything else gets its dependencies passed in.
let config: WorkerConfig;
try {
  config = loadWorkerConfig(process.env);
} catch (e) {
  console.error(`worker: ${(e as Error).message}`);
  process.exit(1);
}

const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
const db = createDb(config.DATABASE_URL, { poolSize: Math.min(config.WORKER_CONCURRENCY + 2, 20) });
const connection = createRedis(config.REDIS_URL, 'worker');
connection.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis error'));
const metrics = new Registry();
collectDefaultMetrics({ register: metrics });

const worker = new Worker(
  timelineActionJob.queue,
  async (job) => {
    const payload = timelineActionJob.schema.parse(job.data);
    logger.info({ jobId: job.id, eventId: payload.eventId }, 'timeline action received');
  },
  { connection, concurrency: config.WORKER_CONCURRENCY, autorun: true },
);
worker.on('failed', (job, err) => logger.warn({ jobId: job?.id, err: { message: err.message } }, 'job failed'));

let stopping = false;
const health = createHealthServer({
  checks: { database: () => pingDb(db), redis: async () => void (await connection.ping()) },
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
    // close() waits for the jobs that are running to finish; no new job is taken.
    await worker.close();
    await new Promise<void>((resolve) => health.close(() => resolve()));
    await Promise.allSettled([connection.quit(), db.$disconnect()]);
  },
});
