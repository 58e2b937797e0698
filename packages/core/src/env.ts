import { z } from 'zod';
import { AppError } from './errors.js';

/**
 * Environment parsing. Each app calls `parseEnv` once in main.ts; nothing else reads process.env.
 * A failure names every bad variable in one message so an operator fixes them in one go.
 */
export function parseEnv<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>): z.infer<S> {
  const r = schema.safeParse(source);
  if (r.success) return r.data;
  const lines = new Set(
    r.error.issues.map((i) => {
      const name = String(i.path[0] ?? '(environment)');
      // Never echo the received value: it may be a secret.
      const what = source[name] === undefined ? 'is missing' : `is invalid: ${i.message}`;
      return `  - ${name} ${what}`;
    }),
  );
  throw new AppError('CONFIG_INVALID', `Invalid configuration:\n${[...lines].join('\n')}`);
}

/**
 * For an app's main.ts: parses the environment once, or prints the one readable message and exits
 * non-zero. No stack trace: a configuration mistake is not a crash.
 */
export function configOrExit<T>(app: string, load: () => T): T {
  try {
    return load();
  } catch (e) {
    console.error(`${app}: ${(e as Error).message}`);
    process.exit(1);
  }
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = (protocols: string[]) =>
  z
    .url()
    .refine(
      (v) => URL.canParse(v) && protocols.includes(new URL(v).protocol),
      `must be a ${protocols.join(' or ')} URL`,
    );

const redisUrl = z
  .string()
  .refine(
    (v) =>
      /^rediss?\+cluster:\/\/([^@/]*@)?[A-Za-z0-9.:[\]-]+:\d{1,5}(,[A-Za-z0-9.:[\]-]+:\d{1,5})*\/?$/.test(v) ||
      (URL.canParse(v) && ['redis:', 'rediss:'].includes(new URL(v).protocol)),
    'must be a redis: or rediss: URL, or redis+cluster://host:port,host:port',
  );

/** `host[:port]` list; `*.` wildcards allowed where `wildcards` is set. Lower-cased. */
export const hostList = (wildcards: boolean) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(
          z.string().regex(
            // `*.domain` matches subdomains; `host:*` matches any port (local emulator portals).
            wildcards ? /^(\*\.)?[a-z0-9.-]+(:(\d{1,5}|\*))?$/ : /^[a-z0-9.-]+(:\d{1,5})?$/,
            wildcards ? 'expected host[:port], *.domain or host:* entries' : 'expected host[:port] entries',
          ),
        )
        .min(1),
    );

/** 32-byte keys in base64. `id:key` entries allow rotation; the first one encrypts. */
const encryptionKeys = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(
        z.string().refine((entry) => {
          const key = entry.includes(':') ? entry.slice(entry.indexOf(':') + 1) : entry;
          return Buffer.from(key, 'base64').length === 32;
        }, 'each key must be 32 bytes in base64 (optionally prefixed with "keyid:")'),
      )
      .min(1),
  );

export const DEFAULT_OAUTH_HOSTS = 'oauth.bitrix.info,oauth.bitrix24.tech';
export const DEFAULT_PORTAL_HOSTS =
  '*.bitrix24.com,*.bitrix24.ru,*.bitrix24.de,*.bitrix24.es,*.bitrix24.com.br,*.bitrix24.fr,*.bitrix24.it,*.bitrix24.pl,*.bitrix24.uk,*.bitrix24.eu,*.bitrix24.in,*.bitrix24.cn,*.bitrix24.tr,*.bitrix24.id,*.bitrix24.jp,*.bitrix24.kz,*.bitrix24.by,*.bitrix24.ua,*.bitrix24.site,*.bitrix24.shop';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Variables that both the server and the worker read. */
export const commonEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  /** One server (`redis://`, `rediss://`) or a Redis Cluster's seed nodes (`redis+cluster://h:p,h:p`). */
  REDIS_URL: redisUrl,
  APP_URL: url(['http:', 'https:']).transform((v) => v.replace(/\/+$/, '')),
  B24_CLIENT_ID: z.string().min(1),
  B24_CLIENT_SECRET: z.string().min(1),
  TOKEN_ENCRYPTION_KEY: encryptionKeys,
  TOKEN_ENCRYPTION_KEYS_OLD: encryptionKeys.optional(),
  B24_OAUTH_HOSTS: hostList(false).default(hostList(false).parse(DEFAULT_OAUTH_HOSTS)),
  B24_PORTAL_HOSTS: hostList(true).default(hostList(true).parse(DEFAULT_PORTAL_HOSTS)),
  B24_ALLOW_HTTP: bool.default(false),
  /**
   * Signs the decision callbacks of approvals created with the operator's API_TOKEN (portal keys have their own
   * secret). Unset: such an approval with a callbackUrl is refused at create (the worker could not sign it).
   */
  API_SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** Longest wait for a pooled database connection; beyond it the query fails instead of stalling. */
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** PostgreSQL statement_timeout of every pooled connection; 0 turns it off. */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /** Bound of one REST request to a portal: a hung request is retried (or fails as transient). */
  B24_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** The portals' REST bucket (Bitrix24: 50/2 standard, 250/5 Enterprise); shared by every process. */
  B24_RATE_LIMIT_BURST: z.coerce.number().int().min(1).max(100_000).default(50),
  B24_RATE_LIMIT_PER_SEC: z.coerce.number().min(0.1).max(10_000).default(2),
  /** Portal clients a process keeps (≈ 21 KB each, least recently used dropped first), and how long an idle one stays. */
  PORTAL_CLIENTS_MAX: z.coerce.number().int().min(1).max(100_000).default(250),
  PORTAL_CLIENT_IDLE_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(300_000),
  /** A click job's retry schedule (BullMQ attempts, exponential backoff base); the server and the worker enqueue with it. */
  CLICK_JOB_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  CLICK_JOB_BACKOFF_MS: z.coerce.number().int().min(10).max(600_000).default(1_000),
  /** PostgreSQL connections this process may open (its pool size); default 10 server, min(WORKER_CONCURRENCY + 4, 40) worker. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1_000).optional(),
  /** Bearer token of /metrics and of /readyz's details (both apps); unset: open (local use only). */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * Redis key prefix of the queues; separate deployments (or test runs) sharing a Redis use different ones.
   * The braces make it a hash tag: every key of a queue lands in one Redis Cluster slot (required there).
   */
  QUEUE_PREFIX: z
    .string()
    .regex(/^(\{[A-Za-z0-9_-]{1,64}\}|[A-Za-z0-9_-]{1,64})$/)
    .default('{b24app}'),
  /**
   * Set when DATABASE_URL points at PgBouncer in transaction mode: the pool then sends no startup
   * parameter PgBouncer would refuse (statement_timeout: set it in PgBouncer's connect_query or on the role).
   */
  DB_PGBOUNCER: bool.default(false),
});

export type CommonEnv = z.infer<typeof commonEnvSchema>;
