import { defineConfig } from 'prisma/config';

// The CLI reads DATABASE_URL only for migrate/introspect; generate needs no database.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/b24app' },
});
