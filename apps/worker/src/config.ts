import { commonEnvSchema, parseEnv } from '@b24app/core';
import { z } from 'zod';

export const workerEnvSchema = commonEnvSchema.extend({
  /** Port of the worker's own /healthz, /readyz and /metrics. */
  WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65_535).default(3001),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
});

export type WorkerConfig = z.infer<typeof workerEnvSchema>;

export const loadWorkerConfig = (env: Record<string, string | undefined>): WorkerConfig =>
  parseEnv(workerEnvSchema, env);
