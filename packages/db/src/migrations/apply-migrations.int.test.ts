import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '@b24app/testing';
import { findSchemaDrift } from '../schema-drift.js';
import { applyMigrations } from './apply-migrations.js';
import { migrationChecksum, readMigrationFiles } from './migration-files.js';

const MIGRATIONS = fileURLToPath(new URL('../../../../prisma/migrations', import.meta.url));
const SCHEMA = fileURLToPath(new URL('../../../../prisma/schema.prisma', import.meta.url));

// A database of its own, created by the runner itself, dropped at the end.
const dbName = `b24app_mig_${process.pid}_${Date.now()}`;
const url = new URL(TEST_DATABASE_URL);
url.pathname = `/${dbName}`;
const DB_URL = url.toString();

afterAll(async () => {
  const admin = new URL(TEST_DATABASE_URL);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await c.end();
});

describe('applyMigrations (engine-free)', () => {
  it('creates the database, applies every migration once, and is a no-op the second time', async () => {
    const files = await readMigrationFiles(MIGRATIONS);
    const first = await applyMigrations({ databaseUrl: DB_URL, migrationsDir: MIGRATIONS });
    expect(first.applied).toEqual(files.map((f) => f.name));
    const second = await applyMigrations({ databaseUrl: DB_URL, migrationsDir: MIGRATIONS });
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(files.map((f) => f.name));

    // Prisma's own bookkeeping, so `prisma migrate status/deploy` agrees with us.
    const c = new pg.Client({ connectionString: DB_URL });
    await c.connect();
    const rows = await c.query(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations"',
    );
    await c.end();
    expect(rows.rows).toHaveLength(files.length);
    for (const r of rows.rows) {
      const f = files.find((x) => x.name === r.migration_name)!;
      expect(r.checksum).toBe(migrationChecksum(f.sql));
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.applied_steps_count).toBe(1);
    }
  });

  it('leaves a database that matches schema.prisma exactly', async () => {
    const c = new pg.Client({ connectionString: DB_URL });
    await c.connect();
    const drift = await findSchemaDrift(c, await readFile(SCHEMA, 'utf8'));
    await c.end();
    expect(drift).toEqual([]);
  });

  it('detects drift when the schema and the database disagree', async () => {
    const c = new pg.Client({ connectionString: DB_URL });
    await c.connect();
    const schema = (await readFile(SCHEMA, 'utf8')).replace(
      'title          String\n',
      'title          String?\n  extraField     Int\n',
    );
    const drift = await findSchemaDrift(c, schema);
    await c.end();
    expect(drift).toContain('column approvals.title nullable=false, schema says true');
    expect(drift).toContain('column approvals.extraField is missing');
  });

  it('refuses an edited migration that was already applied, with a clear message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migs-'));
    await cp(MIGRATIONS, dir, { recursive: true });
    const [first] = await readMigrationFiles(dir);
    await writeFile(join(dir, first!.name, 'migration.sql'), `${first!.sql}\n-- edited\n`);
    await expect(applyMigrations({ databaseUrl: DB_URL, migrationsDir: dir })).rejects.toThrow(
      new RegExp(`Migration ${first!.name} was modified after it was applied`),
    );
  });

  it('applies a new migration transactionally: a failing one leaves nothing behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migs-'));
    await cp(MIGRATIONS, dir, { recursive: true });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, '99990101000000_broken'));
    await writeFile(
      join(dir, '99990101000000_broken', 'migration.sql'),
      'CREATE TABLE "tmp_half" (id int);\nSELECT no_such_function();\n',
    );
    await expect(applyMigrations({ databaseUrl: DB_URL, migrationsDir: dir })).rejects.toThrow(
      /99990101000000_broken failed and was rolled back/,
    );
    const c = new pg.Client({ connectionString: DB_URL });
    await c.connect();
    const t = await c.query(`SELECT to_regclass('tmp_half') AS t`);
    const m = await c.query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '99990101000000_broken'`);
    await c.end();
    expect(t.rows[0].t).toBeNull();
    expect(m.rowCount).toBe(0);
  });
});
