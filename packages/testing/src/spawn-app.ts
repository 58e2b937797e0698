import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type AppRuntime, resolveAppRuntime } from './built-entry.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface SpawnedApp {
  proc: ChildProcess;
  /** What it runs: the built JS, or the TypeScript sources under tsx (and why). */
  runtime: AppRuntime;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnAppOptions {
  /**
   * Run the app's built `dist` JS, as production does, when that build is current (`resolveAppRuntime`);
   * its sources under tsx otherwise. Default false: tests always run the sources they check.
   */
  preferBuilt?: boolean;
  /** Extra node flags (say, V8 heap limits), before the entry. */
  nodeFlags?: string[];
}

/** Runs one of our apps as a real OS process: from its TypeScript sources, or its build when asked. */
export function spawnApp(
  entry: string,
  env: Record<string, string | undefined>,
  opts: SpawnAppOptions = {},
): SpawnedApp {
  const runtime: AppRuntime = opts.preferBuilt
    ? resolveAppRuntime(REPO_ROOT, entry)
    : { kind: 'tsx', entry, why: 'sources asked for' };
  const args =
    runtime.kind === 'dist'
      ? [...(opts.nodeFlags ?? []), runtime.entry]
      : ['--conditions=development', '--import', 'tsx', ...(opts.nodeFlags ?? []), runtime.entry];
  const proc = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (b: Buffer) => {
    out += b.toString();
    for (const l of listeners) l();
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    runtime,
    output: () => out,
    exited,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(out)) {
            listeners.delete(check);
            clearTimeout(t);
            resolve();
          }
        };
        const t = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; output so far:\n${out}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then(() => {
          if (!pattern.test(out)) {
            listeners.delete(check);
            clearTimeout(t);
            reject(new Error(`process exited before ${pattern}; output:\n${out}`));
          }
        });
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}
