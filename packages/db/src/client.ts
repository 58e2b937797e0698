import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.js';

export type Db = PrismaClient;

const pools = new WeakMap<Db, pg.Pool>();

/**
 * The one place that constructs a Prisma client. Apps create one at boot (main.ts) and pass it down.
 * The pool is small on purpose: every process (server, each worker) has its own.
 */
export function createDb(
  databaseUrl: string,
  opts: { poolSize?: number; onIdleError?: (err: Error) => void } = {},
): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: opts.poolSize ?? 10 });
  // An idle connection that dies (database restart, admin kill) is dropped by the pool; without a
  // listener the 'error' event would crash the process.
  pool.on('error', opts.onIdleError ?? (() => {}));
  const db = new PrismaClient({ adapter: new PrismaPg(pool) });
  pools.set(db, pool);
  return db;
}

/**
 * The connection pool behind a client, for the few statements on the click hot path where Prisma's
 * query engine costs more CPU than the query itself (measured in bench/intake.bench.ts). Same pool,
 * same connections: everything else goes through Prisma.
 */
export function rawPool(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('rawPool: this client was not made by createDb');
  return pool;
}

export async function pingDb(db: Db): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}
