import { fileURLToPath } from 'node:url';
import { applyMigrations } from '@b24app/db';
import { TEST_DATABASE_URL } from '@b24app/testing';

// Once per `npm test`: the test database exists and carries every migration.
export default async function setup(): Promise<void> {
  await applyMigrations({
    databaseUrl: TEST_DATABASE_URL,
    migrationsDir: fileURLToPath(new URL('../prisma/migrations', import.meta.url)),
  });
}
