export { createDb, type Db, type DbOptions, pingDb, rawPool } from './client.js';
export * from './generated/prisma/client.js';
export { applyMigrations, type MigrateResult } from './migrations/apply-migrations.js';
export { migrationChecksum, readMigrationFiles } from './migrations/migration-files.js';
export * from './click-lifecycle.js';
export {
  type ClickPortal,
  createTimelineEventsRepository,
  type RecordClickInput,
  type StaleClick,
  type TimelineEventsRepository,
  toApproval,
} from './timeline-events.repository.js';
export { type ClickUserAuth, openClickUserAuth, sealClickUserAuth } from './click-user-auth.js';
export {
  API_KEY_PREFIX,
  type ApiKeysRepository,
  type ApiKeyView,
  createApiKeysRepository,
  looksLikeApiKey,
  type VerifiedApiKey,
} from './api-keys.repository.js';
