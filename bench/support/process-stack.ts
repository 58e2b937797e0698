/**
 * The product as deployed, every part its own OS process started from its public entry point: the emulator
 * (apps/emulator/src/main.ts), our server (apps/server/src/main.ts) and our worker (apps/worker/src/main.ts),
 * on a fresh migrated PostgreSQL database and a private redis-server of their own. Nothing here reaches into
 * the apps' internals, so the benches keep measuring the same thing while the code behind those entry points
 * moves; and since the database and Redis are this stack's alone, their CPU, `pg_stat_database` and
 * `INFO commandstats` are this stack's alone too (the PostgreSQL server itself is shared: only the backends
 * serving this database are counted).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EmulatorClient } from '@b24app/emulator';
import { type AppRuntime, randomMemberId, type SpawnedApp, spawnApp, TEST_ENCRYPTION_KEY } from '@b24app/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createIsolatedDatabase } from '../../test/support/isolated-database.js';
import { freePort, startPrivateRedis } from '../../test/support/redis-server.js';
import { postgresBackends, redisServerPid } from './proc-stats.js';

export interface Limits {
  burst: number;
  drainPerSec: number;
}

/** A bucket no benchmark reaches: for the benches that measure our path, not the rate limit. */
export const ROOMY: Limits = { burst: 5_000, drainPerSec: 1_000 };

export interface BenchPortal {
  memberId: string;
  dealId: number;
}

export interface Click {
  memberId: string;
  activityId: number;
}

export interface BenchStack {
  emu: EmulatorClient;
  serverUrl: string;
  /** The environment server and worker were started with. */
  env: Record<string, string>;
  databaseName: string;
  /** A small pool on this stack's database, for the benches' own reads (stats, per-step timestamps). */
  pg: pg.Pool;
  /** A connection to this stack's private Redis (INFO, queues). */
  redis: Redis;
  pids(): { server: number; worker: number; emulator: number; redis: number; postgres: number[] };
  /** What server and worker run: their build or their sources under tsx (see `preferBuilt`). */
  runtimes(): { server: AppRuntime; worker: AppRuntime };
  /** Installs our app on `n` new portals (install page, ONAPPINSTALL, events bound) with one deal each. */
  installPortals(n: number, opts?: { limits?: Limits; concurrency?: number }): Promise<BenchPortal[]>;
  /** One approval (a configurable activity on the deal) per target, through our integrations API. */
  createApprovals(targets: BenchPortal[], concurrency?: number): Promise<Click[]>;
  /** Restarts the worker with extra environment (say, a tighter rate limit than the server's). */
  restartWorker(env?: Record<string, string>): Promise<void>;
  /**
   * Restarts the server with extra environment: the rate limit of the portals' buckets once the approvals exist
   * (the intake admits each click to its portal's bucket, so it must know the bucket the worker knows).
   */
  restartServer(env?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

const API_TOKEN = 'bench-api-token-0123456789';

export async function startBenchStack(
  opts: {
    env?: Record<string, string>;
    /** Added to `env` for the server only / the worker only. */
    serverEnv?: Record<string, string>;
    workerEnv?: Record<string, string>;
    /** Run server and worker from their current build (`npm run build`), as production does; tsx otherwise. */
    preferBuilt?: boolean;
  } = {},
): Promise<BenchStack> {
  const db = await createIsolatedDatabase();
  const databaseName = new URL(db.url).pathname.slice(1);
  const redisServer = await startPrivateRedis();
  const started: SpawnedApp[] = [];
  const stopAll = async () => {
    for (const p of started.reverse()) await p.stop('SIGTERM');
    await redisServer.stop('SIGTERM');
    await db.drop();
  };
  try {
    const emulatorPort = await freePort();
    const emulator = spawnApp('apps/emulator/src/main.ts', { EMULATOR_PORT: String(emulatorPort) });
    started.push(emulator);
    await emulator.waitFor(/Bitrix24 emulator/, 30_000);
    const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
    const emu = new EmulatorClient(emulatorUrl);

    const port = await freePort();
    const serverUrl = `http://127.0.0.1:${port}`;
    const clientId = `local.bench${process.pid}${Date.now()}`;
    const clientSecret = `secret-${Math.random().toString(36).slice(2)}`;
    const env: Record<string, string> = {
      DATABASE_URL: db.url,
      REDIS_URL: redisServer.url,
      APP_URL: serverUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      B24_CLIENT_ID: clientId,
      B24_CLIENT_SECRET: clientSecret,
      TOKEN_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      B24_OAUTH_HOSTS: `127.0.0.1:${emulatorPort}`,
      B24_PORTAL_HOSTS: '127.0.0.1:*',
      B24_ALLOW_HTTP: 'true',
      API_TOKEN,
      B24_JS_SDK_URL: `${emulatorUrl}/bx24/api/v1/`,
      LOG_LEVEL: 'warn',
      QUEUE_PREFIX: 'bench',
      B24_RATE_LIMIT_BURST: String(ROOMY.burst),
      B24_RATE_LIMIT_PER_SEC: String(ROOMY.drainPerSec),
      ...opts.env,
    };
    await emu.registerApp({
      clientId,
      clientSecret,
      installUrl: `${serverUrl}/b24/install`,
      installEventUrl: `${serverUrl}/b24/events`,
      appUrl: `${serverUrl}/b24/app`,
      scope: 'crm,user_brief,placement',
      withUi: true,
    });

    const appOpts = { preferBuilt: opts.preferBuilt ?? false };
    const spawnServer = async (extra: Record<string, string>) => {
      const s = spawnApp('apps/server/src/main.ts', { ...env, ...opts.serverEnv, ...extra }, appOpts);
      // Started at warn level (no line per install): ready once it answers its liveness probe.
      await until(
        () =>
          fetch(`${serverUrl}/healthz`).then(
            (r) => r.ok,
            () => false,
          ),
        30_000,
      );
      return s;
    };
    let server = await spawnServer({});
    started.push(server);

    const spawnWorker = async (extra: Record<string, string>) => {
      const w = spawnApp(
        'apps/worker/src/main.ts',
        { ...env, WORKER_HEALTH_PORT: '0', LOG_LEVEL: 'info', ...extra },
        appOpts,
      );
      await w.waitFor(/"msg":"worker started"/, 30_000);
      return w;
    };
    let worker = await spawnWorker(opts.workerEnv ?? {});
    started.push(worker);

    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    const pidOf = (p: SpawnedApp) => p.proc.pid ?? -1;

    const stack: BenchStack = {
      emu,
      serverUrl,
      env,
      databaseName,
      pg: pool,
      redis,
      pids: () => ({
        server: pidOf(server),
        worker: pidOf(worker),
        emulator: pidOf(emulator),
        redis: redisServerPid(redisServer.port) ?? -1,
        postgres: postgresBackends(databaseName),
      }),
      runtimes: () => ({ server: server.runtime, worker: worker.runtime }),
      async installPortals(n, o = {}) {
        const out: BenchPortal[] = [];
        await inParallel(n, o.concurrency ?? 8, async () => {
          const p = await emu.createPortal({ memberId: randomMemberId(), limits: o.limits ?? ROOMY });
          await emu.installApp(p.memberId, clientId, { userId: p.adminUserId });
          const deal = await emu.createCrmItem(p.memberId, { entityTypeId: 2, title: 'Deal for approval' });
          out.push({ memberId: p.memberId, dealId: deal.id });
        });
        // ONAPPINSTALL is delivered asynchronously: wait until our server bound the events of every portal.
        const ids = out.map((p) => p.memberId);
        await until(async () => {
          const { rows } = await pool.query(
            'SELECT count(*)::int AS n FROM portals WHERE member_id = ANY($1) AND events_bound_at IS NOT NULL',
            [ids],
          );
          return rows[0].n === n;
        }, 120_000);
        return out;
      },
      async createApprovals(targets, concurrency = 12) {
        const out: Click[] = new Array(targets.length);
        await inParallel(targets.length, concurrency, async (i) => {
          const t = targets[i]!;
          const res = await fetch(`${serverUrl}/api/v1/approvals`, {
            method: 'POST',
            headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify({ memberId: t.memberId, ownerTypeId: 2, ownerId: t.dealId, title: `Bench ${i}` }),
          });
          const json = (await res.json()) as { id: string; activityId: number | null };
          if (res.status >= 300) throw new Error(`create approval: ${res.status} ${JSON.stringify(json)}`);
          let activityId = json.activityId;
          // 202: the creation job adds it; the long-poll read answers its id.
          while (activityId === null) {
            const read = await fetch(`${serverUrl}/api/v1/approvals/${json.id}?wait=10s`, {
              headers: { authorization: `Bearer ${API_TOKEN}` },
            });
            const a = (await read.json()) as { activityId: number | null; creation: { state: string } | null };
            if (a.creation?.state === 'failed') throw new Error(`create approval ${json.id}: its creation failed`);
            activityId = a.activityId;
          }
          out[i] = { memberId: t.memberId, activityId };
        });
        return out;
      },
      async restartServer(extra = {}) {
        await server.stop('SIGTERM');
        started.splice(started.indexOf(server), 1);
        server = await spawnServer(extra);
        started.push(server);
      },
      async restartWorker(extra = {}) {
        await worker.stop('SIGTERM');
        started.splice(started.indexOf(worker), 1);
        worker = await spawnWorker(extra);
        started.push(worker);
      },
      async close() {
        // BENCH_LOGS=1: keep what the processes printed, for a bench that misbehaves.
        if (process.env.BENCH_LOGS) {
          const dir = fileURLToPath(new URL('../results/', import.meta.url));
          mkdirSync(dir, { recursive: true });
          for (const [name, p] of Object.entries({ emulator, server, worker }))
            writeFileSync(`${dir}${databaseName}-${name}.log`, p.output());
        }
        await pool.end();
        redis.disconnect();
        await stopAll();
      },
    };
    return stack;
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Runs task(i) for i in [0, n) with at most `concurrency` at a time; the first failure rejects. */
export async function inParallel(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      for (let i = next++; i < n; i = next++) await task(i);
    }),
  );
}

/** Bounded poll: resolves once cond() holds, throws after timeoutMs. */
export async function until(cond: () => Promise<boolean>, timeoutMs: number, stepMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * Fires clicks at a steady rate (click i at start + i / rate), each through the emulator's control API as a
 * user's click; resolves with the emulator's lock id of each delivered click and the rate actually achieved.
 * A click the emulator could not take (say, overloaded at a capacity step) is counted in `failed`, not thrown.
 */
export async function clickAtRate(
  emu: EmulatorClient,
  clicks: Click[],
  rate: number,
  actionId: (i: number) => string = (i) => (i % 2 ? 'approve' : 'reject'),
): Promise<{ lockIds: number[]; failed: number; sentPerSec: number; startedAt: number; endedAt: number }> {
  const lockIds: number[] = [];
  let failed = 0;
  const t0 = performance.now();
  const startedAt = Date.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < clicks.length; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const c = clicks[i]!;
    inFlight.push(
      emu.click(c.memberId, { activityId: c.activityId, actionId: actionId(i) }).then(
        (r) => {
          if (r.lockId === null) failed++;
          else lockIds.push(r.lockId);
        },
        () => {
          failed++;
        },
      ),
    );
  }
  const sentMs = performance.now() - t0;
  await Promise.all(inFlight);
  return { lockIds, failed, sentPerSec: (clicks.length * 1000) / Math.max(1, sentMs), startedAt, endedAt: Date.now() };
}

/** clickAtRate where every click must be delivered: the benches that measure latency, not overload. */
export async function clickAllAtRate(emu: EmulatorClient, clicks: Click[], rate: number): Promise<number[]> {
  const r = await clickAtRate(emu, clicks, rate);
  if (r.failed > 0) throw new Error(`${r.failed} of ${clicks.length} clicks were not delivered`);
  return r.lockIds;
}

/**
 * Waits (at most timeoutMs) until the emulator released every one of these locks, i.e. our update reached the
 * card. Durations sorted; a lock still held at the deadline counts with its age then (a lower bound).
 */
export async function waitForLocks(
  emu: EmulatorClient,
  lockIds: number[],
  timeoutMs: number,
): Promise<{ durations: number[]; unfinished: number }> {
  const wanted = new Set(lockIds);
  const end = Date.now() + timeoutMs;
  for (;;) {
    const locks = (await emu.locks()).filter((l) => wanted.has(l.id));
    const held = locks.filter((l) => l.releasedAt === undefined);
    if ((held.length === 0 && locks.length === wanted.size) || Date.now() > end) {
      const now = Date.now();
      const durations = locks.map((l) =>
        l.releasedAt === undefined ? now - l.lockedAt : (l.durationMs ?? Number.NaN),
      );
      return { durations: durations.sort((a, b) => a - b), unfinished: wanted.size - (locks.length - held.length) };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Like waitForLocks, but every card must have been updated in time. */
export async function lockDurations(emu: EmulatorClient, lockIds: number[], timeoutMs: number): Promise<number[]> {
  const { durations, unfinished } = await waitForLocks(emu, lockIds, timeoutMs);
  if (unfinished > 0) throw new Error(`${unfinished} of ${lockIds.length} cards still locked after ${timeoutMs} ms`);
  return durations;
}
