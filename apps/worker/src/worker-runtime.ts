import type { Logger } from '@b24app/core';
import { createTimelineEventsRepository, type Db, openClickUserAuth } from '@b24app/db';
import { createPortalClientsFromConfig, type PortalClients } from '@b24app/bitrix24';
import {
  createClickProducer,
  createRedis,
  type RedisConnection,
  timelineActionJob,
  timelineActionJobOptions,
} from '@b24app/jobs';
import { DelayedError, Queue, Worker } from 'bullmq';
import type { Registry } from 'prom-client';
import type { WorkerConfig } from './config.js';
import { createWorkerMetrics } from './observability/worker-metrics.js';
import { createIntakeRelay } from './relay/intake-relay.js';
import { type ActionHandlerRegistry, defaultActionRegistry } from './timeline/action-handlers/index.js';
import { createActivityLease } from './timeline/activity-lease.js';
import { createClickRepository } from './timeline/click.repository.js';
import { createClickingUserProver } from './timeline/clicking-user.js';
import { DelayJob } from './timeline/click-outcome.js';
import { createStuckClickSweeper } from './timeline/stuck-click-sweeper.js';
import { createTimelineActionProcessor } from './timeline/timeline-action.processor.js';

export type WorkerRuntimeConfig = Pick<
  WorkerConfig,
  | 'REDIS_URL'
  | 'B24_CLIENT_ID'
  | 'B24_CLIENT_SECRET'
  | 'TOKEN_ENCRYPTION_KEY'
  | 'TOKEN_ENCRYPTION_KEYS_OLD'
  | 'WORKER_CONCURRENCY'
  | 'WORKER_LOCK_DURATION_MS'
  | 'RELAY_INTERVAL_MS'
  | 'SWEEP_INTERVAL_MS'
  | 'SWEEP_STALE_AFTER_MS'
  | 'QUEUE_PREFIX'
  | 'B24_RATE_LIMIT_BURST'
  | 'B24_RATE_LIMIT_PER_SEC'
  | 'B24_REQUEST_TIMEOUT_MS'
  | 'PORTAL_CLIENTS_MAX'
  | 'PORTAL_CLIENT_IDLE_MS'
  | 'CLICK_JOB_ATTEMPTS'
  | 'CLICK_JOB_BACKOFF_MS'
>;

export interface WorkerRuntime {
  worker: Worker;
  clients: PortalClients;
  relay: ReturnType<typeof createIntakeRelay>;
  sweeper: ReturnType<typeof createStuckClickSweeper>;
  pingRedis(): Promise<void>;
  /** Stops taking jobs, waits for the running ones, stops the timers and closes connections. */
  close(): Promise<void>;
}

/** Composes the worker: the BullMQ consumer of clicks, the intake relay and the stuck-click sweeper. */
export function startWorkerRuntime(opts: {
  config: WorkerRuntimeConfig;
  db: Db;
  logger: Logger;
  actions?: ActionHandlerRegistry;
  metrics?: Registry;
}): WorkerRuntime {
  const { config, db, logger } = opts;
  const connection: RedisConnection = createRedis(config.REDIS_URL, 'worker');
  connection.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis error'));
  const queue = new Queue(timelineActionJob.queue, { connection, prefix: config.QUEUE_PREFIX });
  // Without a listener BullMQ prints every connection error of a Redis outage to stderr.
  queue.on('error', (err) => logger.warn({ err: { message: err.message } }, 'queue error'));
  // headroom is read at scrape time only, after `limiter` below exists.
  const metrics = opts.metrics
    ? createWorkerMetrics(opts.metrics, { db, queues: [queue], headroom: (ids) => limiter.headroom(ids) })
    : undefined;
  const { cipher, limiter, clients } = createPortalClientsFromConfig(config, {
    db,
    redis: connection,
    logger,
    ...(metrics ? { observer: metrics.portal } : {}),
  });
  const prover = createClickingUserProver({
    clientId: config.B24_CLIENT_ID,
    limiter,
    timeoutMs: config.B24_REQUEST_TIMEOUT_MS,
  });
  const processor = createTimelineActionProcessor({
    repo: createClickRepository(db),
    clicker: async (event, portal, adminMatters) => {
      const auth = openClickUserAuth(cipher, event);
      return auth ? prover.prove(portal, auth, { adminMatters }) : null;
    },
    clients,
    actions: opts.actions ?? defaultActionRegistry(),
    lease: createActivityLease(connection, { ttlMs: config.WORKER_LOCK_DURATION_MS, prefix: config.QUEUE_PREFIX }),
    ...(metrics ? { metrics: metrics.clicks } : {}),
    logger,
  });

  const worker = new Worker(
    timelineActionJob.queue,
    async (job, token) => {
      // Re-validate: the queue is a boundary too.
      const { eventId } = timelineActionJob.schema.parse(job.data);
      const maxAttempts = job.opts.attempts ?? 1;
      const started = performance.now();
      let memberId: string | undefined;
      // One line per job run: jobId is the click's eventId, the id the intake's request line carries too.
      const ran = (outcome: 'completed' | 'delayed' | 'failed', err?: unknown) => {
        const seconds = (performance.now() - started) / 1000;
        metrics?.job(job.name, outcome, seconds);
        logger.info(
          {
            jobId: job.id,
            kind: job.name,
            eventId,
            ...(memberId ? { memberId } : {}),
            attempt: job.attemptsMade + 1,
            outcome,
            ms: Math.round(seconds * 1000),
            ...(err ? { err: { message: (err as Error).message } } : {}),
          },
          'job finished',
        );
      };
      try {
        memberId = await processor.process(eventId, { finalAttempt: job.attemptsMade + 1 >= maxAttempts });
        ran('completed');
      } catch (e) {
        if (e instanceof DelayJob) {
          // Wait for the portal's bucket without holding a worker slot and without spending an attempt.
          await job.moveToDelayed(Date.now() + e.retryAfterMs, token);
          ran('delayed');
          throw new DelayedError();
        }
        ran('failed', e);
        throw e;
      }
    },
    {
      connection,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      lockDuration: config.WORKER_LOCK_DURATION_MS,
      stalledInterval: Math.max(1_000, Math.floor(config.WORKER_LOCK_DURATION_MS / 2)),
      // A click whose worker keeps dying is retried; the sweeper is the bound beyond this.
      maxStalledCount: 10,
    },
  );
  worker.on('failed', (job, err) => {
    if (err instanceof DelayedError) return;
    logger.warn(
      { jobId: job?.id, attemptsMade: job?.attemptsMade, err: { message: err.message } },
      'click attempt failed',
    );
  });
  worker.on('error', (err) => logger.warn({ err: { message: err.message } }, 'worker error'));

  const producer = createClickProducer(queue, {
    jobOptions: timelineActionJobOptions({
      attempts: config.CLICK_JOB_ATTEMPTS,
      backoffMs: config.CLICK_JOB_BACKOFF_MS,
    }),
  });
  const clicks = createTimelineEventsRepository(db);
  const relay = createIntakeRelay({ clicks, producer, logger });
  const sweeper = createStuckClickSweeper({ clicks, producer, logger, staleAfterMs: config.SWEEP_STALE_AFTER_MS });
  const timers = [
    every(config.RELAY_INTERVAL_MS, () => relay.runOnce(), logger, 'relay'),
    every(config.SWEEP_INTERVAL_MS, () => sweeper.runOnce(), logger, 'sweeper'),
  ];

  return {
    worker,
    clients,
    relay,
    sweeper,
    pingRedis: async () => void (await connection.ping()),
    async close() {
      for (const t of timers) t.stop();
      await worker.close(); // waits for running jobs: a started click is never abandoned
      await Promise.all(timers.map((t) => t.idle()));
      clients.close();
      await queue.close();
      await connection.quit().catch(() => {});
    },
  };
}

/** A periodic task that never overlaps itself and never throws out of its timer. */
function every(ms: number, task: () => Promise<unknown>, logger: Logger, name: string) {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = task()
      .catch((err: unknown) =>
        logger.warn({ err: { message: (err as Error).message }, task: name }, 'periodic task failed'),
      )
      .finally(() => {
        running = null;
      });
  }, ms);
  timer.unref();
  return { stop: () => clearInterval(timer), idle: () => running ?? Promise.resolve() };
}
