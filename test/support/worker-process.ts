import { type SpawnedApp, spawnApp } from '@b24app/testing';
import type { Stack } from './stack.js';

/**
 * Our worker as a real OS process (apps/worker/src/main.ts), configured like the stack's server: the
 * same database, Redis, queue prefix and app credentials, so it consumes exactly this stack's clicks.
 * Resolves once it logged that it started.
 */
export async function startWorkerProcess(stack: Stack, overrides: Record<string, string> = {}): Promise<SpawnedApp> {
  const worker = spawnApp('apps/worker/src/main.ts', {
    ...stack.env,
    WORKER_HEALTH_PORT: '0',
    LOG_LEVEL: 'info',
    ...overrides,
  });
  await worker.waitFor(/"msg":"worker started"/, 30_000);
  return worker;
}

/** SIGKILL: no shutdown hook runs, connections drop mid-transaction. Resolves once the process is gone. */
export async function killHard(worker: SpawnedApp): Promise<void> {
  await worker.stop('SIGKILL');
}
