// Public API of @b24app/emulator: a local Bitrix24 portal + OAuth server for tests, `npm start` and app developers.
export { type EmulatorOptions, type RunningEmulator, startEmulator } from './emulator.js';
export { type Clock, systemClock } from './emulator-context.js';
export {
  EmulatorClient,
  EmulatorClientError,
  type CreatedPortal,
  type IssuedTokens,
} from './control/emulator-client.js';
export type { ActivityView, PortalView } from './control/views.js';
export type { FailureInput, HoldInput, RunRobotBody } from './control/control.schemas.js';
export type { RegisterAppInput } from './apps/app-registry.js';
export type { InstallResult } from './install/install-service.js';
export type { OAuthStats } from './state/emulator-state.js';
export type {
  AppRecord,
  CallLogEntry,
  CrmType,
  DeliveryLogEntry,
  EmulatorSettings,
  FailureKind,
  FailureRule,
  HeldDelivery,
  HoldRule,
  InjectedError,
  LockRecord,
  Notification,
  PlacementBinding,
  PortalLimits,
  Robot,
  RobotProperty,
  RobotRun,
  RobotRunState,
} from './state/model.js';
export { DEFAULT_SETTINGS } from './state/model.js';
export { encodePhpForm, parsePhpForm } from './http/php-form.js';
export { type SeedDemoInput, type SeedDemoResult, seedDemo } from './demo/seed-demo.js';
