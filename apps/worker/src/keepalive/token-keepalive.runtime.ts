/**
 * The keep-alive on BullMQ: a job scheduler (one for the deployment, however many workers upsert it) adds the
 * scan every interval; the scan adds one refresh job per due portal (job id per portal: never two waiting);
 * refresh jobs take a slot of a deployment-wide bucket in the shared Redis limiter first, so a thousand portals
 * due together reach the OAuth server at TOKEN_KEEPALIVE_PER_SEC, not at once.
 */
import { createPortalRateLimiter, type PortalClients, type PrismaTokenStore } from '@b24app/bitrix24';
import type { Logger } from '@b24app/core';
import { type RedisConnection, tokenKeepAliveRefreshJob, tokenKeepAliveScanJob } from '@b24app/jobs';
import { DelayedError, Queue, Worker } from 'bullmq';
import { createTokenKeepAlive, type KeepAliveMetrics } from './token-keepalive.js';

const SCHEDULER_ID = 'token-keepalive';
/** The pacing bucket's one key: every process shares it. */
const PACE_KEY = 'oauth';

export function startTokenKeepAlive(opts: {
  connection: RedisConnection;
  prefix: string;
  store: Pick<PrismaTokenStore, 'keepAliveDue' | 'noteKeepAliveFailure'>;
  clients: Pick<PortalClients, 'keepAlive'>;
  config: {
    B24_REFRESH_TOKEN_TTL_SEC: number;
    TOKEN_KEEPALIVE_WINDOW_SEC: number;
    TOKEN_KEEPALIVE_INTERVAL_MS: number;
    TOKEN_KEEPALIVE_PER_SEC: number;
  };
  logger: Logger;
  metrics?: KeepAliveMetrics;
}): { queue: Queue; close(): Promise<void> } {
  const { connection, prefix, config } = opts;
  const logger = opts.logger.child({ task: 'token-keepalive' });
  const queue = new Queue(tokenKeepAliveScanJob.queue, { connection, prefix });
  queue.on('error', (err) => logger.warn({ err: { message: err.message } }, 'queue error'));
  const pace = createPortalRateLimiter(connection, {
    keyPrefix: 'b24:rl:keepalive',
    policy: {
      burst: Math.max(1, Math.ceil(config.TOKEN_KEEPALIVE_PER_SEC)),
      drainPerSec: config.TOKEN_KEEPALIVE_PER_SEC,
    },
    headroom: () => 0,
  });
  const keepAlive = createTokenKeepAlive({
    store: opts.store,
    clients: opts.clients,
    enqueue: async (memberId, delayMs) => {
      const data = tokenKeepAliveRefreshJob.schema.parse({ memberId });
      await queue.add(tokenKeepAliveRefreshJob.name, data, {
        ...tokenKeepAliveRefreshJob.defaults,
        jobId: `keepalive-${memberId}`,
        delay: delayMs,
      });
    },
    policy: {
      refreshTtlSec: config.B24_REFRESH_TOKEN_TTL_SEC,
      windowSec: config.TOKEN_KEEPALIVE_WINDOW_SEC,
      // Spread over the time to the next scan, and well inside the window.
      jitterMs: Math.min(config.TOKEN_KEEPALIVE_INTERVAL_MS, (config.TOKEN_KEEPALIVE_WINDOW_SEC * 1000) / 4),
    },
    logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });

  const worker = new Worker(
    tokenKeepAliveScanJob.queue,
    async (job, token) => {
      if (job.name === tokenKeepAliveScanJob.name) {
        tokenKeepAliveScanJob.schema.parse(job.data);
        return keepAlive.scan();
      }
      const { memberId } = tokenKeepAliveRefreshJob.schema.parse(job.data);
      const slot = await pace.take(PACE_KEY, { maxWaitMs: 1_000 });
      if (!slot.ok) {
        // Over the deployment's pace: wait for the bucket without spending an attempt.
        await job.moveToDelayed(Date.now() + slot.retryAfterMs, token);
        throw new DelayedError();
      }
      if (slot.waitMs > 0) await new Promise((r) => setTimeout(r, slot.waitMs));
      return keepAlive.refresh(memberId, { finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) });
    },
    { connection, prefix, concurrency: 2 },
  );
  worker.on('error', (err) => logger.warn({ err: { message: err.message } }, 'worker error'));

  const scheduled =
    config.TOKEN_KEEPALIVE_INTERVAL_MS > 0
      ? queue
          .upsertJobScheduler(
            SCHEDULER_ID,
            { every: config.TOKEN_KEEPALIVE_INTERVAL_MS },
            { name: tokenKeepAliveScanJob.name, data: {}, opts: tokenKeepAliveScanJob.defaults },
          )
          .catch((err: unknown) =>
            logger.warn({ err: { message: (err as Error).message } }, 'token keep-alive not scheduled'),
          )
      : queue.removeJobScheduler(SCHEDULER_ID).catch(() => false);

  return {
    queue,
    async close() {
      await scheduled;
      await worker.close();
      await queue.close();
    },
  };
}
