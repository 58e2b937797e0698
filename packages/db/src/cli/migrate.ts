// `npm run db:migrate`: applies prisma/migrations. Uses the Prisma CLI when its schema engine is
// available (PRISMA_SCHEMA_ENGINE_BINARY points at a real engine), our engine-free runner otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '../migrations/apply-migrations.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('db:migrate: DATABASE_URL is missing');
  process.exit(1);
}

// A real engine: where Prisma downloads it, or named schema-engine* by PRISMA_SCHEMA_ENGINE_BINARY
// (a placeholder file pointed at only to make `prisma generate` run offline does not count).
function findSchemaEngine(): string | undefined {
  const fromEnv = process.env.PRISMA_SCHEMA_ENGINE_BINARY;
  if (fromEnv && existsSync(fromEnv) && basename(fromEnv).startsWith('schema-engine')) return fromEnv;
  const dir = join(root, 'node_modules/@prisma/engines');
  const found = existsSync(dir) ? readdirSync(dir).find((f) => f.startsWith('schema-engine')) : undefined;
  return found ? join(dir, found) : undefined;
}

if (findSchemaEngine()) {
  console.log('db:migrate: schema engine found, running prisma migrate deploy');
  const r = spawnSync('npx', ['prisma', 'migrate', 'deploy'], { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

try {
  const r = await applyMigrations({
    databaseUrl,
    migrationsDir: `${root}prisma/migrations`,
    log: (m) => console.log(`db:migrate: ${m}`),
  });
  console.log(
    r.applied.length
      ? `db:migrate: ${r.applied.length} migration(s) applied`
      : `db:migrate: database is up to date (${r.alreadyApplied.length} migration(s))`,
  );
} catch (e) {
  console.error(`db:migrate: ${(e as Error).message}`);
  process.exit(1);
}
