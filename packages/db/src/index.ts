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
export {
  type ApprovalsRepository,
  type CreatePortal,
  createApprovalsRepository,
  type NewApproval,
  type SqlRunner,
  type UnsettledCreate,
} from './approvals.repository.js';
export {
  type ApprovalRun,
  createRobotRunsRepository,
  type RecordedRun,
  type RecordRunInput,
  type RobotRunsRepository,
} from './robot-runs.repository.js';
export {
  type ApprovalDeliveriesRepository,
  createApprovalDeliveriesRepository,
  DELIVERY_KINDS,
  type DeliveryKind,
  type DeliveryRow,
} from './approval-deliveries.repository.js';
