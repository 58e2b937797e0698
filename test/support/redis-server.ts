import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/**
 * A private, throw-away `redis-server` on its own port, so a test can stop and restart "the" Redis
 * without touching the shared one. Nothing is persisted (`--save "" --appendonly no`): a restart
 * comes back empty, like a lost cache node, which is the harsh case for the queue.
 */
export interface PrivateRedis {
  port: number;
  url: string;
  running(): boolean;
  /** Starts the server (again, on the same port) and resolves once it answers PING. */
  start(): Promise<void>;
  /** SIGKILL by default: connections drop without a goodbye. Resolves once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let proc: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const url = `redis://127.0.0.1:${port}/0`;

  const redis: PrivateRedis = {
    port,
    url,
    running: () => proc !== null,
    async start() {
      if (proc) return;
      const child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      proc = child;
      exited = new Promise((resolve) => child.once('exit', () => resolve()));
      child.once('exit', () => {
        if (proc === child) proc = null;
      });
      await waitForPing(port, child);
    },
    async stop(signal = 'SIGKILL') {
      const child = proc;
      if (!child) return;
      child.kill(signal);
      await exited;
      proc = null;
    },
  };
  await redis.start();
  return redis;
}

async function waitForPing(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${child.exitCode}`);
    if (await answersPing(port)) return;
    if (Date.now() > end) throw new Error(`redis-server on port ${port} did not start within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One PING to a redis-server on 127.0.0.1 (no retries): true once it answers PONG. */
export async function answersPing(port: number): Promise<boolean> {
  const probe = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false; // not up yet
  } finally {
    probe.disconnect();
  }
}

/** A port that was free a moment ago (the OS picks it; the tiny race is acceptable in tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}
