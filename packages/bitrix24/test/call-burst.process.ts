/**
 * A stand-in worker process for the multi-process acceptance tests: builds its own Prisma client, Redis connection,
 * limiter and portal client from the JSON in argv[2], prints READY, waits for GO on stdin, makes `count`
 * concurrent calls, prints one `RESULT {...}` line and exits. Its pino logs go to stdout like a real worker's.
 */
import { createInterface } from 'node:readline';
import { createLogger, createTokenCipher } from '@b24app/core';
import { createDb } from '@b24app/db';
import { Redis } from 'ioredis';
import { createPortalClients, createPortalRateLimiter, createPrismaTokenStore, isBitrix24Error } from '../src/index.js';

export interface BurstConfig {
  databaseUrl: string;
  redisUrl: string;
  keyPrefix: string;
  encryptionKeys: string[];
  clientId: string;
  clientSecret: string;
  memberId: string;
  method: string;
  count: number;
  policy: { burst: number; drainPerSec: number };
  maxWaitMs: number;
}

export interface BurstResult {
  ok: number;
  failed: number;
  errors: string[];
  startedAt: number;
  finishedAt: number;
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as BurstConfig;
  const db = createDb(cfg.databaseUrl, { poolSize: 4 });
  const redis = new Redis(cfg.redisUrl);
  const clients = createPortalClients({
    store: createPrismaTokenStore(db, createTokenCipher(cfg.encryptionKeys)),
    limiter: createPortalRateLimiter(redis, { policy: cfg.policy, keyPrefix: cfg.keyPrefix }),
    clientId: cfg.clientId,
    clientSecret: cfg.clientSecret,
    logger: createLogger({ level: 'debug', name: `burst-${process.pid}` }),
    defaultMaxWaitMs: cfg.maxWaitMs,
  });
  const client = await clients.get(cfg.memberId);

  process.stdout.write('READY\n');
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));

  const startedAt = Date.now();
  const outcomes = await Promise.allSettled(Array.from({ length: cfg.count }, () => client.call(cfg.method)));
  const result: BurstResult = {
    ok: outcomes.filter((o) => o.status === 'fulfilled').length,
    failed: outcomes.filter((o) => o.status === 'rejected').length,
    errors: outcomes.flatMap((o) =>
      o.status === 'rejected'
        ? [isBitrix24Error(o.reason) ? `${o.reason.kind}:${o.reason.b24Code}` : String(o.reason)]
        : [],
    ),
    startedAt,
    finishedAt: Date.now(),
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  lines.close();
  clients.close();
  await Promise.all([db.$disconnect(), redis.quit()]);
}

main().catch((e: unknown) => {
  // Our errors never carry tokens; anything else is reduced to its name.
  process.stderr.write(
    `burst process failed: ${isBitrix24Error(e) ? e.message : e instanceof Error ? e.name : 'error'}\n`,
  );
  process.exit(1);
});
