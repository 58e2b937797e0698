import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '@b24app/db';
import { TEST_DATABASE_URL } from '@b24app/testing';
import pg from 'pg';

/**
 * A fresh, migrated database of its own. The relay and the sweeper work on every click in their
 * database (as they must in production, one deployment per database), so in the shared test database
 * they also pick up clicks of other test files and of earlier runs. Tests that stop workers, kill
 * Redis or count retries need their clicks to be theirs alone. Costs ~1 s; dropped on `drop()`.
 */
export interface IsolatedDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createIsolatedDatabase(): Promise<IsolatedDatabase> {
  const name = `b24app_iso_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new URL(TEST_DATABASE_URL);
  admin.pathname = '/postgres';
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;

  await withClient(admin.href, (c) => c.query(`CREATE DATABASE "${name}"`));
  await applyMigrations({
    databaseUrl: url.href,
    migrationsDir: fileURLToPath(new URL('../../prisma/migrations', import.meta.url)),
  });
  return {
    url: url.href,
    drop: () => withClient(admin.href, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

async function withClient<T>(url: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}
