import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@b24app/testing';
import { freePort } from './redis-server.js';

/**
 * A throw-away PgBouncer (Debian's /usr/sbin/pgbouncer) in transaction mode on a free port, in front of
 * the test PostgreSQL (127.0.0.1:5432). The userlist's postgres is let in (auth_type trust: the test server trusts
 * local connections); each client transaction gets whichever server connection is free, so nothing
 * may rely on session state. `urlFor` rewrites a database URL to go through it.
 */
export interface PgBouncer {
  port: number;
  /** The same database, user and password, through PgBouncer. */
  urlFor(databaseUrl: string): string;
  stop(): Promise<void>;
}

const PGBOUNCER_BIN = process.env.PGBOUNCER_BIN ?? '/usr/sbin/pgbouncer';

export async function startPgBouncer(
  opts: { poolSize?: number; statementTimeoutMs?: number } = {},
): Promise<PgBouncer> {
  const dir = await mkdtemp(join(tmpdir(), 'b24app-pgbouncer-'));
  const port = await freePort();
  const ini = [
    '[databases]',
    // PgBouncer refuses a statement_timeout startup parameter; it sets it on its server connections.
    `* = host=127.0.0.1 port=5432 connect_query='SET statement_timeout = ${opts.statementTimeoutMs ?? 30_000}'`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${join(dir, 'userlist.txt')}`,
    'pool_mode = transaction',
    `default_pool_size = ${opts.poolSize ?? 20}`,
    'max_client_conn = 500',
    'server_reset_query =',
    '',
  ].join('\n');
  await writeFile(join(dir, 'userlist.txt'), '"postgres" "postgres"\n');
  await writeFile(join(dir, 'pgbouncer.ini'), ini);
  // PgBouncer will not run as root (a CI container): it then drops to `nobody`, who must read the config.
  await chmod(dir, 0o755);
  const asUser = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
  const proc: ChildProcess = spawn(PGBOUNCER_BIN, [...asUser, join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  try {
    await waitFor(
      async () => {
        if (proc.exitCode !== null) throw new Error(`pgbouncer exited with ${proc.exitCode}: ${stderr}`);
        return listening(port);
      },
      10_000,
      50,
    );
  } catch (e) {
    proc.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    urlFor(databaseUrl) {
      const u = new URL(databaseUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        proc.kill('SIGKILL');
        await gone;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
