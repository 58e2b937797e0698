import { commonEnvSchema, parseEnv } from '@b24app/core';
import { z } from 'zod';

export const workerEnvSchema = commonEnvSchema.extend({
  /** Port of the worker's own /healthz, /readyz and /metrics. */
  WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65_535).default(3001),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(32),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** How long a job's lock lives without renewal: a crashed worker's job is picked up again after this. */
  WORKER_LOCK_DURATION_MS: z.coerce.number().int().min(1_000).default(30_000),
  RELAY_INTERVAL_MS: z.coerce.number().int().min(100).default(1_000),
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(15_000),
  /** A click not finished this long after it was (re)enqueued is swept. */
  SWEEP_STALE_AFTER_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** First wait of the decision outbox's retries (doubling per attempt, at most 10 min; 30 attempts: about 4 h). */
  DELIVERY_BACKOFF_MS: z.coerce.number().int().min(10).max(600_000).default(2_000),
  /**
   * First wait of a decision callback's retries (doubling with jitter, capped at 1 h, for 26 h after the
   * decision). Tests shorten it; production keeps the default.
   */
  CALLBACK_BACKOFF_MS: z.coerce.number().int().min(10).max(600_000).default(10_000),
  /** One callback attempt, connect to the last byte read: a receiver slower than this is retried. */
  CALLBACK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
});

export type WorkerConfig = z.infer<typeof workerEnvSchema>;

export const loadWorkerConfig = (env: Record<string, string | undefined>): WorkerConfig =>
  parseEnv(workerEnvSchema, env);
