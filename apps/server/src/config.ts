import { commonEnvSchema, parseEnv } from '@b24app/core';
import { z } from 'zod';

export const serverEnvSchema = commonEnvSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  API_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  /** Where the install and app pages load the BX24 JS library from (the emulator serves a stand-in). */
  B24_JS_SDK_URL: z.url().default('https://api.bitrix24.com/api/v1/'),
  /** Database-checked event authentication failures one client address may cause per minute (per replica). */
  EVENT_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  /** Express `trust proxy`: which hops' X-Forwarded-For is believed (the client address of the limits). */
  TRUST_PROXY: z.string().min(1).default('loopback, linklocal, uniquelocal'),
  /** Lifetime of the app page's session (renewed by the page while it is open). */
  APP_SESSION_TTL_SEC: z.coerce.number().int().min(30).max(3600).default(300),
  /** The built front end of the app page (apps/app-page/dist); default: next to this app in the repo/image. */
  APP_PAGE_DIR: z.string().min(1).optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /**
   * Per portal API key, across every replica (Redis): requests a second on /api/v1, and the burst allowed above
   * that rate per 10 s (a batch). Beyond both: 429 API_RATE_LIMITED with Retry-After. API_TOKEN has no such limit.
   */
  API_KEY_RATE_PER_S: z.coerce.number().int().min(1).default(50),
  API_KEY_RATE_BURST: z.coerce.number().int().min(0).default(500),
  /**
   * How long POST /api/v1/approvals (and the app page's request form) waits for the creation job's activity before
   * answering 202 `creating`. 0: always 202 at once.
   */
  APPROVAL_CREATE_WAIT_MS: z.coerce.number().int().nonnegative().max(30_000).default(5_000),
});

export type ServerConfig = z.infer<typeof serverEnvSchema>;

export const loadServerConfig = (env: Record<string, string | undefined>): ServerConfig =>
  parseEnv(serverEnvSchema, env);
