import { readFileSync } from 'node:fs';
import type { AppRuntime } from '@b24app/testing';

/** The variables of an image stage that shape a process's memory. */
const MEMORY_ENV = ['NODE_OPTIONS', 'MALLOC_ARENA_MAX'] as const;

/**
 * The memory settings production runs an app with: the `ENV NODE_OPTIONS=…` (V8 heap limits) and
 * `ENV MALLOC_ARENA_MAX=…` lines of its stage (`server`, `worker`) in infra/Dockerfile. Read from the
 * Dockerfile, so a bench measures what the image runs, not a copy of it.
 */
export function dockerRuntimeEnv(
  stage: 'server' | 'worker',
  dockerfile: string = readDockerfile(),
): Record<string, string> {
  const start = dockerfile.search(new RegExp(`^FROM \\S+ AS ${stage}$`, 'm'));
  if (start < 0) return {};
  const body = dockerfile.slice(start).split(/^FROM /m)[1] ?? '';
  const env: Record<string, string> = {};
  for (const m of body.matchAll(/^ENV ([A-Z_]+)=(?:"([^"]*)"|(\S+))\s*$/gm)) {
    const name = m[1] as (typeof MEMORY_ENV)[number];
    if (MEMORY_ENV.includes(name)) env[name] = m[2] ?? m[3] ?? '';
  }
  return env;
}

function readDockerfile(): string {
  return readFileSync(new URL('../../infra/Dockerfile', import.meta.url), 'utf8');
}

/** For a figure's note: what the process ran, and with which memory settings. */
export function describeRuntime(runtime: AppRuntime, env: Record<string, string>): string {
  const settings = Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const code =
    runtime.kind === 'dist'
      ? `the built JS (node ${runtime.entry})`
      : `the TypeScript sources under tsx (${runtime.why}; the loader is part of the figure, see memory.tsx_loader_mb)`;
  return `ran ${code}${settings ? ` with its infra/Dockerfile stage's ${settings}` : ''}`;
}
