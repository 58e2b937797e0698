/**
 * Shared test support: where the real PostgreSQL and Redis of the test run are.
 * Tests use the real services; CI (.ci/run) starts them when they are not running.
 */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/b24app_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/1';
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 42).toString('base64');

/** A random 32-hex member id, like Bitrix24's, so tests sharing one database never collide. */
export const randomMemberId = (): string =>
  Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');

export { captureLogs, type CapturedLogs } from './capture-logs.js';
export { type AppRuntime, resolveAppRuntime } from './built-entry.js';
export { REPO_ROOT, type SpawnAppOptions, type SpawnedApp, spawnApp } from './spawn-app.js';
export { type WaitForOptions, waitFor } from './wait-for.js';
