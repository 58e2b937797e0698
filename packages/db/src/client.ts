import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.js';

export type Db = PrismaClient;

const pools = new WeakMap<Db, pg.Pool>();

/**
 * The one place that constructs a Prisma client. Apps create one at boot (main.ts) and pass it down.
 * The pool is small on purpose: every process (server, each worker) has its own.
 */
export interface DbOptions {
  poolSize?: number;
  /**
   * Longest wait for a free pooled connection before the query fails (default 5 s). Without a bound, a
   * pool exhausted by slow work (a hung OAuth refresh holding its transaction) stalls every caller.
   */
  connectionTimeoutMs?: number;
  /** PostgreSQL `statement_timeout` of every pooled connection (default 30 s); 0 turns it off. */
  statementTimeoutMs?: number;
  /**
   * DATABASE_URL is PgBouncer in transaction mode: no session state, and no statement_timeout startup
   * parameter (PgBouncer refuses it; it belongs in PgBouncer's connect_query there). Nothing here
   * relies on a session: transactions use SET LOCAL, statements are unnamed, no LISTEN or advisory lock.
   */
  pgbouncer?: boolean;
  onIdleError?: (err: Error) => void;
}

export function createDb(databaseUrl: string, opts: DbOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? 5_000,
    ...(opts.pgbouncer ? {} : { statement_timeout: opts.statementTimeoutMs ?? 30_000 }),
  });
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
