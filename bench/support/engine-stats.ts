/**
 * Work counters of the engines: Redis commands (INFO commandstats; commands run inside Lua scripts, as
 * BullMQ's are, count one by one besides the EVALSHA itself) and PostgreSQL transactions committed and rolled
 * back in one database (pg_stat_database; backends publish their counts at most once a second, so read
 * these over a window of steady traffic, where the lag at both ends cancels out).
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';

export interface EngineCounters {
  redisCommands: number;
  redisEvalCalls: number;
  pgTransactions: number;
}

export async function redisCommandTotals(redis: Redis): Promise<{ commands: number; evals: number }> {
  const info = await redis.info('commandstats');
  let commands = 0;
  let evals = 0;
  for (const m of info.matchAll(/^cmdstat_([a-z|_-]+):calls=(\d+)/gm)) {
    const calls = Number(m[2]);
    // INFO itself is the bench's, not the app's.
    if (m[1] === 'info') continue;
    commands += calls;
    if (m[1]!.startsWith('eval')) evals += calls;
  }
  return { commands, evals };
}

export async function pgTransactions(pool: pg.Pool, database: string): Promise<number> {
  const { rows } = await pool.query(
    'SELECT (xact_commit + xact_rollback)::bigint AS n FROM pg_stat_database WHERE datname = $1',
    [database],
  );
  return Number(rows[0]?.n ?? Number.NaN);
}

export async function engineCounters(redis: Redis, pool: pg.Pool, database: string): Promise<EngineCounters> {
  const [r, x] = await Promise.all([redisCommandTotals(redis), pgTransactions(pool, database)]);
  return { redisCommands: r.commands, redisEvalCalls: r.evals, pgTransactions: x };
}
