/**
 * The worker's approval jobs besides clicks: the creation job (a robot run's approval gets its card) and the
 * decision delivery job (the outbox), each a BullMQ consumer with its relay. Composed by worker-runtime.ts.
 */
import type { Logger, TokenCipher } from '@b24app/core';
import { loadApprovalDetails } from '@b24app/approvals';
import { callbackPolicyOf, callbackRetryDelayMs, createCallbackSender, RETRY_WINDOW_MS } from '@b24app/callbacks';
import {
  createApiKeysRepository,
  createApprovalDeliveriesRepository,
  createApprovalsRepository,
  createRobotRunsRepository,
  type Db,
} from '@b24app/db';
import type { PortalClients } from '@b24app/bitrix24';
import {
  approvalCreatedChannel,
  approvalCreateJob,
  approvalDeliveryJob,
  createApprovalCreateProducer,
  createDeliveryProducer,
  type RedisConnection,
} from '@b24app/jobs';
import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import { createApprovalCreateRelay } from './approvals/approval-create-relay.js';
import { createApprovalCreateProcessor } from './approvals/approval-create.processor.js';
import type { WorkerConfig } from './config.js';
import { createDeliveryProcessor } from './deliveries/delivery.processor.js';
import { createDeliveryRelay } from './deliveries/delivery-relay.js';
import type { DeliveryHandlerRegistry } from './deliveries/delivery-handler.js';
import { defaultDeliveryRegistry } from './deliveries/handlers/index.js';
import type { DeliveryMetrics } from './observability/worker-metrics.js';
import { DelayJob } from './timeline/click-outcome.js';

export type ApprovalJobsConfig = Pick<
  WorkerConfig,
  | 'QUEUE_PREFIX'
  | 'WORKER_LOCK_DURATION_MS'
  | 'B24_REQUEST_TIMEOUT_MS'
  | 'DELIVERY_BACKOFF_MS'
  | 'CALLBACK_BACKOFF_MS'
  | 'CALLBACK_TIMEOUT_MS'
  | 'API_SIGNING_SECRET'
  | 'B24_ALLOW_HTTP'
  | 'NODE_ENV'
>;

export interface ApprovalJobs {
  /** Periodic passes for worker-runtime's timer: hand lost creates and due deliveries to jobs. */
  relays: { name: string; runOnce: () => Promise<number> }[];
  close(): Promise<void>;
}

export function startApprovalJobs(opts: {
  config: ApprovalJobsConfig;
  db: Db;
  connection: RedisConnection;
  clients: PortalClients;
  cipher: TokenCipher;
  logger: Logger;
  deliveryHandlers?: DeliveryHandlerRegistry;
  metrics?: DeliveryMetrics;
  /** 'creates': the creation job's consumer only (a test stack creating approvals while it runs no worker). */
  only?: 'creates';
}): ApprovalJobs {
  const { config, db, connection, logger } = opts;
  const approvals = createApprovalsRepository(db);
  const deliveries = createApprovalDeliveriesRepository(db);
  const runs = createRobotRunsRepository(db, approvals);
  const apiKeys = createApiKeysRepository(db, opts.cipher);
  const prefix = config.QUEUE_PREFIX;
  const queueError = (err: Error) => logger.warn({ err: { message: err.message } }, 'queue error');
  const createQueue = new Queue(approvalCreateJob.queue, { connection, prefix });
  const createdChannel = approvalCreatedChannel(prefix);
  const deliveryQueue = new Queue(approvalDeliveryJob.queue, { connection, prefix });
  createQueue.on('error', queueError);
  deliveryQueue.on('error', queueError);

  // An add lasts at most the client's attempts (packages/bitrix24 DEFAULT_RETRY: 4), each a slot wait and a request.
  const attemptMs = 4 * (5_000 + config.B24_REQUEST_TIMEOUT_MS);
  const creator = createApprovalCreateProcessor({
    approvals,
    clients: opts.clients,
    logger,
    claimTtlMs: attemptMs + 10_000,
  });
  const deliverer = createDeliveryProcessor({
    deliveries,
    approvals,
    clients: opts.clients,
    handlers:
      opts.deliveryHandlers ??
      defaultDeliveryRegistry({
        runs,
        cipher: opts.cipher,
        callbacks: {
          details: (id) => loadApprovalDetails(db, id),
          keySecret: (keyId) => apiKeys.signingSecretOf(keyId),
          operatorSecret: config.API_SIGNING_SECRET ?? null,
          send: createCallbackSender({ policy: callbackPolicyOf(config), timeoutMs: config.CALLBACK_TIMEOUT_MS }),
          retry: {
            delayMs: (attempt) => callbackRetryDelayMs(attempt, Math.random, config.CALLBACK_BACKOFF_MS),
            windowMs: RETRY_WINDOW_MS,
          },
          ...(opts.metrics ? { observe: opts.metrics.callbackAttempt } : {}),
        },
      }),
    logger,
    // One request (bizproc.event.send is sent once, a callback once per attempt), bounded by its timeout.
    leaseMs: 2 * Math.max(config.B24_REQUEST_TIMEOUT_MS, config.CALLBACK_TIMEOUT_MS) + 5_000,
    backoffMs: config.DELIVERY_BACKOFF_MS,
  });

  const workerOpts = {
    connection,
    prefix,
    concurrency: 4,
    lockDuration: config.WORKER_LOCK_DURATION_MS,
    stalledInterval: Math.max(1_000, Math.floor(config.WORKER_LOCK_DURATION_MS / 2)),
    maxStalledCount: 10,
  };
  /** One log line per job run, as for clicks. */
  const ran = (job: Job, fields: Record<string, unknown>, started: number) =>
    logger.info(
      {
        jobId: job.id,
        kind: job.name,
        attempt: job.attemptsMade + 1,
        ms: Math.round(performance.now() - started),
        ...fields,
      },
      'job finished',
    );

  const createWorker = new Worker(
    approvalCreateJob.queue,
    async (job, token) => {
      const { approvalId } = approvalCreateJob.schema.parse(job.data);
      const started = performance.now();
      try {
        const r = await creator.process(approvalId, {
          finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
        });
        ran(job, { approvalId, ...r }, started);
        // Wakes the create requests and long-polls waiting for this approval (they re-read the row). Not awaited:
        // while Redis is away the job does not wait for it, and the waiters re-read the row on their own.
        if (r.outcome !== 'portal_inactive') {
          void connection.publish(createdChannel, approvalId).catch((err: Error) => {
            logger.warn({ err: { message: err.message }, approvalId }, 'approval created: notify failed');
          });
        }
      } catch (e) {
        if (e instanceof DelayJob) {
          // The portal's bucket or another add says "not now": wait without an attempt or a worker slot.
          await job.moveToDelayed(Date.now() + e.retryAfterMs, token);
          ran(job, { approvalId, outcome: 'delayed', reason: e.reason }, started);
          throw new DelayedError();
        }
        ran(job, { approvalId, outcome: 'failed', err: { message: (e as Error).message } }, started);
        throw e;
      }
    },
    workerOpts,
  );
  const deliveryWorker =
    opts.only === 'creates'
      ? null
      : new Worker(
          approvalDeliveryJob.queue,
          async (job) => {
            const { deliveryId } = approvalDeliveryJob.schema.parse(job.data);
            const started = performance.now();
            const r = await deliverer.process(deliveryId);
            if (r.outcome === 'skipped') return;
            ran(job, { deliveryId, ...r }, started);
            if (r.kind) opts.metrics?.delivery(r.kind, r.ended ?? r.outcome);
          },
          workerOpts,
        );
  const workers = deliveryWorker ? [createWorker, deliveryWorker] : [createWorker];
  for (const w of workers) {
    w.on('error', (err) => logger.warn({ err: { message: err.message } }, 'worker error'));
  }

  const createRelay = createApprovalCreateRelay({
    approvals,
    producer: createApprovalCreateProducer(createQueue),
    logger,
  });
  const deliveryRelay = createDeliveryRelay({ deliveries, producer: createDeliveryProducer(deliveryQueue), logger });

  return {
    relays: opts.only
      ? []
      : [
          { name: 'approval-create-relay', runOnce: createRelay.runOnce },
          { name: 'delivery-relay', runOnce: deliveryRelay.runOnce },
        ],
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([createQueue.close(), deliveryQueue.close()]);
    },
  };
}
