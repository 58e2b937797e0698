import { AppError, commonEnvSchema, parseEnv } from '@b24app/core';
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
  /**
   * Lifetime assumed for a refresh token from its issue. Bitrix24 sends none: captured tokens encode 30 days, the
   * docs say up to 180, older pages 28; the shortest is the default.
   */
  B24_REFRESH_TOKEN_TTL_SEC: z.coerce
    .number()
    .int()
    .min(2)
    .default(28 * 24 * 3_600),
  /** The token keep-alive refreshes a portal whose refresh token would expire within this window. */
  TOKEN_KEEPALIVE_WINDOW_SEC: z.coerce
    .number()
    .int()
    .min(1)
    .default(7 * 24 * 3_600),
  /** How often the keep-alive looks for such portals (a BullMQ job scheduler); 0 switches it off. */
  TOKEN_KEEPALIVE_INTERVAL_MS: z.coerce.number().int().min(0).default(3_600_000),
  /** Keep-alive refreshes per second for the whole deployment (paced by the shared Redis limiter). */
  TOKEN_KEEPALIVE_PER_SEC: z.coerce.number().positive().max(100).default(1),
});

export type WorkerConfig = z.infer<typeof workerEnvSchema>;

export function loadWorkerConfig(env: Record<string, string | undefined>): WorkerConfig {
  const config = parseEnv(workerEnvSchema, env);
  if (config.TOKEN_KEEPALIVE_WINDOW_SEC >= config.B24_REFRESH_TOKEN_TTL_SEC) {
    throw new AppError(
      'CONFIG_INVALID',
      'Invalid configuration:\n  - TOKEN_KEEPALIVE_WINDOW_SEC must be shorter than B24_REFRESH_TOKEN_TTL_SEC',
    );
  }
  return config;
}
