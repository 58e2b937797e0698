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
import { startApprovalJobs } from './approval-jobs.runtime.js';
import type { WorkerConfig } from './config.js';
import { startTokenKeepAlive } from './keepalive/token-keepalive.runtime.js';
import { createWorkerMetrics } from './observability/worker-metrics.js';
import { createIntakeRelay } from './relay/intake-relay.js';
import { type ActionHandlerRegistry, defaultActionRegistry } from './timeline/action-handlers/index.js';
import { createActivityLease } from './timeline/activity-lease.js';
import { createClickRepository } from './timeline/click.repository.js';
import { createClickParking } from './timeline/click-parking.js';
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
  | 'DELIVERY_BACKOFF_MS'
  | 'CALLBACK_BACKOFF_MS'
  | 'CALLBACK_TIMEOUT_MS'
  | 'API_SIGNING_SECRET'
  | 'B24_ALLOW_HTTP'
  | 'NODE_ENV'
  | 'B24_REFRESH_TOKEN_TTL_SEC'
  | 'TOKEN_KEEPALIVE_WINDOW_SEC'
  | 'TOKEN_KEEPALIVE_INTERVAL_MS'
  | 'TOKEN_KEEPALIVE_PER_SEC'
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

/**
 * Longest a worker request sleeps for its portal's next slot (a job admitted by the schedule comes out of the
 * delayed set CLICK_SLOT_LEAD_MS before its slot, well within this); beyond it the job is parked (click-parking.ts).
 */
const SLOT_WAIT_MS = 250;

/**
 * Composes the worker: the BullMQ consumer of clicks, the intake relay and the stuck-click sweeper; the approval
 * creation and decision delivery jobs with their relays (approval-jobs.runtime.ts); the token keep-alive.
 */
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
  // Read at scrape time only: `limiter` below exists by then, and so do the queues added to the list.
  const queues: Queue[] = [queue];
  const metrics = opts.metrics
    ? createWorkerMetrics(opts.metrics, { db, queues, headroom: (ids) => limiter.headroom(ids) })
    : undefined;
  const { cipher, store, limiter, clients } = createPortalClientsFromConfig(config, {
    db,
    redis: connection,
    logger,
    // A request whose slot is further away parks its job for the slot instead of sleeping in a worker slot.
    defaultMaxWaitMs: SLOT_WAIT_MS,
    ...(metrics ? { observer: metrics.portal } : {}),
  });
  const parking = createClickParking({ limiter });
  const prover = createClickingUserProver({
    clientId: config.B24_CLIENT_ID,
    limiter,
    maxWaitMs: SLOT_WAIT_MS,
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
          await job.moveToDelayed(await parking.until(e), token);
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
  const approvalJobs = startApprovalJobs({
    config,
    db,
    connection,
    clients,
    cipher,
    logger,
    ...(metrics ? { metrics: metrics.deliveries } : {}),
  });
  const keepAlive = startTokenKeepAlive({
    connection,
    prefix: config.QUEUE_PREFIX,
    store,
    clients,
    config,
    logger,
    ...(metrics ? { metrics: metrics.keepAlive } : {}),
  });
  queues.push(keepAlive.queue);
  const timers = [
    every(config.RELAY_INTERVAL_MS, () => relay.runOnce(), logger, 'relay'),
    every(config.SWEEP_INTERVAL_MS, () => sweeper.runOnce(), logger, 'sweeper'),
    ...approvalJobs.relays.map((r) => every(config.RELAY_INTERVAL_MS, r.runOnce, logger, r.name)),
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
      await approvalJobs.close();
      await keepAlive.close();
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
