import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@b24app/testing';
import { answersPing, freePort } from './redis-server.js';

const run = promisify(execFile);

/**
 * A throw-away Redis Cluster of three masters (no replicas) on free ports, each in its own directory
 * under one temp dir, joined by `redis-cli --cluster create`. Its `url` is what REDIS_URL takes for a
 * cluster: `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`.
 */
export interface RedisCluster {
  ports: number[];
  url: string;
  stop(): Promise<void>;
}

export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'b24app-redis-cluster-'));
  const procs: ChildProcess[] = [];
  const ports: number[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      // The bus port is set explicitly: the default (port + 10000) may be taken or out of range.
      const busPort = await freePort();
      ports.push(port);
      const nodeDir = join(dir, String(port));
      await run('mkdir', ['-p', nodeDir]);
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--cluster-port',
          String(busPort),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(nodeDir, 'nodes.conf'),
          '--cluster-node-timeout',
          '5000',
          '--dir',
          nodeDir,
          '--save',
          '',
          '--appendonly',
          'no',
          '--loglevel',
          'warning',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      procs.push(child);
    }
    for (const port of ports) await waitFor(() => answersPing(port), 10_000, 50);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    // Every node must agree that all 16384 slots are served before a client may rely on it.
    await waitFor(
      async () => {
        for (const port of ports) {
          const info = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
          if (!info.stdout.includes('cluster_state:ok')) return false;
        }
        return true;
      },
      20_000,
      100,
    );
  } catch (e) {
    for (const p of procs) p.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    ports,
    url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    async stop() {
      await Promise.all(
        procs.map(
          (p) =>
            new Promise<void>((resolve) => {
              if (p.exitCode !== null || p.signalCode !== null) return resolve();
              p.once('exit', () => resolve());
              p.kill('SIGKILL');
            }),
        ),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}
