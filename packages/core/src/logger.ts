import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Every field that can carry a credential, at any depth we log. pino's redaction is path based,
 * so we list the top level, one and two levels down, and the bracket-form `auth` object that
 * Bitrix24 sends with every event.
 */
const SECRET_KEYS = [
  'access_token',
  'refresh_token',
  'application_token',
  'AUTH_ID',
  'REFRESH_ID',
  'APPLICATION_TOKEN',
  'client_secret',
  'clientSecret',
  'accessToken',
  'refreshToken',
  'applicationToken',
  // a robot run's event_token answers the automation (bizproc.event.send): a capability
  'event_token',
  'eventToken',
  'TOKEN_ENCRYPTION_KEY',
  'authorization',
  'Authorization',
  'password',
  // A portal API key and its callback signing secret (shown once by the app page, never logged).
  'apiKey',
  'signingSecret',
];

export const REDACT_PATHS = [
  'auth',
  '*.auth',
  '*.*.auth',
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.*.${k}`),
];

export function createLogger(
  opts: { level?: string; name?: string; base?: Record<string, unknown> } = {},
  destination?: DestinationStream,
): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { ...(opts.name ? { app: opts.name } : {}), ...opts.base },
    serializers: { err: pino.stdSerializers.err },
  };
  return destination ? pino(options, destination) : pino(options);
}
