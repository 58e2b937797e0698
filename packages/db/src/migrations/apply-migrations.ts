import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { AppError } from '@b24app/core';
import { type MigrationFile, readMigrationFiles } from './migration-files.js';

/**
 * Applies Prisma migrations without Prisma's schema engine (air-gapped hosts, this CI).
 * It keeps Prisma's own bookkeeping table, lock id and checksums, so `prisma migrate deploy` and
 * `prisma migrate status` agree with it on a machine that has the engine.
 *
 * Unlike the engine, each migration runs in one transaction together with its bookkeeping row,
 * so a failed migration leaves nothing half-applied. (Statements that cannot run in a
 * transaction, e.g. CREATE INDEX CONCURRENTLY, belong in a separate, engine-applied migration.)
 */

// The advisory lock key prisma-migrate uses, so the two never run concurrently.
const PRISMA_MIGRATE_LOCK = 72707369;

const BOOKKEEPING_DDL = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export async function applyMigrations(opts: {
  databaseUrl: string;
  migrationsDir: string;
  log?: (msg: string) => void;
}): Promise<MigrateResult> {
  const log = opts.log ?? (() => {});
  const files = await readMigrationFiles(opts.migrationsDir);
  await ensureDatabase(opts.databaseUrl, log);

  const client = new pg.Client({ connectionString: opts.databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    await client.query(BOOKKEEPING_DDL);
    const { rows } = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
    );
    const done = checkHistory(files, rows);

    const applied: string[] = [];
    for (const m of files) {
      if (done.has(m.name)) continue;
      await applyOne(client, m);
      applied.push(m.name);
      log(`applied ${m.name}`);
    }
    return { applied, alreadyApplied: [...done] };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]).catch(() => {});
    await client.end();
  }
}

/** Refuses a history that Prisma would refuse too: edited or failed migrations. */
function checkHistory(files: MigrationFile[], rows: AppliedRow[]): Set<string> {
  const byName = new Map(files.map((f) => [f.name, f]));
  const done = new Set<string>();
  for (const row of rows) {
    if (row.rolled_back_at) continue;
    if (!row.finished_at) {
      throw new AppError(
        'CONFLICT',
        `Migration ${row.migration_name} failed earlier and is not finished. Fix the database, then mark it with ` +
          '`prisma migrate resolve` (or delete its row in _prisma_migrations) before migrating again.',
      );
    }
    const file = byName.get(row.migration_name);
    // A migration that exists only in the database is tolerated, as by prisma migrate deploy.
    if (!file) continue;
    if (file.checksum !== row.checksum) {
      throw new AppError(
        'CONFLICT',
        `Migration ${row.migration_name} was modified after it was applied (checksum ${row.checksum.slice(0, 12)}… in the ` +
          `database, ${file.checksum.slice(0, 12)}… on disk). Applied migrations are immutable: restore the file and put ` +
          'the change in a new migration.',
      );
    }
    done.add(row.migration_name);
  }
  return done;
}

async function applyOne(client: pg.Client, m: MigrationFile): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(m.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), now(), 1)`,
      [randomUUID(), m.checksum, m.name],
    );
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw new AppError('INTERNAL', `Migration ${m.name} failed and was rolled back: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/** Creates the target database when missing, as `prisma migrate deploy` does. */
async function ensureDatabase(databaseUrl: string, log: (msg: string) => void): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) return;
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  try {
    await client.connect();
  } catch {
    return; // No access to the maintenance database: assume the target exists; the real connect will say if not.
  }
  try {
    const r = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (r.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created concurrently
      });
      log(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}
