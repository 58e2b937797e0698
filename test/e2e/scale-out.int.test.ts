import { request, type RequestListener } from 'node:http';
import type { SpawnedApp } from '@b24app/testing';
import { spawnApp } from '@b24app/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApproval, restEventIds } from '../support/approvals.js';
import { type PgBouncer, startPgBouncer } from '../support/pgbouncer.js';
import { type RedisCluster, startRedisCluster } from '../support/redis-cluster.js';
import { freePort } from '../support/redis-server.js';
import { type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';
import { killHard, startWorkerProcess } from '../support/worker-process.js';

// Issue 14: "the stack runs unchanged on a Redis Cluster and on PostgreSQL through PgBouncer in transaction
// mode; CI runs the end-to-end click tests on that topology with two servers and three workers, one worker
// killed mid-run." Every app process here is a real OS process; only the balancer runs in the test.

const UPDATE = 'crm.activity.configurable.update';
const APPROVALS_PER_PORTAL = 6;
// A dead worker's job is taken over after its 2 s lock expires; a hung update is given up after 1 s.
const WORKER_ENV = {
  B24_REQUEST_TIMEOUT_MS: '1000',
  WORKER_LOCK_DURATION_MS: '2000',
  WORKER_CONCURRENCY: '4',
  DATABASE_POOL_SIZE: '6',
};

let cluster: RedisCluster;
let bouncer: PgBouncer;
let stack: Stack;
const servers: SpawnedApp[] = [];
const workers: SpawnedApp[] = [];
const upstreams: { port: number; requests: number }[] = [];
let next = 0;

/** Round-robin balancer in front of the two server processes, like the operator's load balancer. */
const balancer = (): RequestListener => (req, res) => {
  const up = upstreams[next++ % upstreams.length];
  if (!up) {
    res.writeHead(503).end();
    return;
  }
  up.requests++;
  const fwd = request(
    { host: '127.0.0.1', port: up.port, method: req.method, path: req.url, headers: req.headers },
    (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    },
  );
  fwd.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(fwd);
};

beforeAll(async () => {
  [cluster, bouncer] = await Promise.all([startRedisCluster(3), startPgBouncer({ poolSize: 20 })]);
  stack = await startStack({
    databaseUrlVia: (url) => bouncer.urlFor(url),
    frontend: balancer,
    env: {
      REDIS_URL: cluster.url,
      QUEUE_PREFIX: `{scale${process.pid}}`,
      DB_PGBOUNCER: 'true',
      DATABASE_POOL_SIZE: '6',
    },
  });
  const started = await Promise.all([
    ...[0, 1].map(async () => {
      const port = await freePort();
      const server = spawnApp('apps/server/src/main.ts', {
        ...stack.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      });
      servers.push(server);
      await server.waitFor(/"msg":"server listening"/, 60_000);
      upstreams.push({ port, requests: 0 });
    }),
    ...[0, 1, 2].map(async () => {
      workers.push(await startWorkerProcess(stack, WORKER_ENV));
    }),
  ]);
  expect(started).toHaveLength(5);
}, 180_000);

afterAll(async () => {
  await Promise.all([...servers, ...workers].map((p) => p.stop('SIGKILL')));
  await stack?.close();
  await Promise.all([cluster?.stop(), bouncer?.stop()]);
});

describe('scale-out: Redis Cluster + PgBouncer (transaction mode), 2 servers, 3 workers (issue 14)', () => {
  it('clicks on several portals end in exactly one decision and an update each, with a worker SIGKILLed mid-run', async () => {
    const portals: InstalledPortal[] = [];
    for (let i = 0; i < 3; i++) portals.push(await stack.installedPortal());
    const cards: { memberId: string; id: string; activityId: number }[] = [];
    for (const p of portals) {
      for (let i = 0; i < APPROVALS_PER_PORTAL; i++)
        cards.push({
          memberId: p.memberId,
          ...(await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId })),
        });
    }
    // Hung updates keep jobs in flight on every worker, so the kill lands in the middle of work.
    for (const p of portals)
      await stack.emu.injectFailures({ memberId: p.memberId, method: UPDATE, count: 4, kind: 'timeout' });

    // Every card gets a click; every third also an opposite click by another user (a race between workers).
    const racers = new Map<string, number>();
    for (const p of portals) racers.set(p.memberId, (await stack.emu.createUser(p.memberId, { name: 'Racer' })).id);
    let accepted = 0;
    for (const [i, c] of cards.entries()) {
      const action = i % 2 === 0 ? 'approve' : 'reject';
      const r = await stack.emu.click(c.memberId, { activityId: c.activityId, actionId: action });
      expect(r.statuses).toEqual([200]);
      accepted++;
      if (i % 3 === 0) {
        const again = await stack.emu.click(c.memberId, {
          activityId: c.activityId,
          actionId: action === 'approve' ? 'reject' : 'approve',
          userId: racers.get(c.memberId)!,
          force: true,
        });
        expect(again.statuses).toEqual([200]);
        accepted++;
      }
    }

    // Activity ids are per portal: a click is known by its portal and activity.
    const clicksOf = () =>
      stack.db.timelineEvent.findMany({
        where: { portal: { memberId: { in: portals.map((p) => p.memberId) } } },
        include: { portal: { select: { memberId: true } } },
      });
    const hanging = async () => {
      let n = 0;
      for (const p of portals)
        n += (await stack.emu.calls({ memberId: p.memberId, method: UPDATE })).filter(
          (c) => c.error === 'INJECTED_TIMEOUT',
        ).length;
      return n;
    };
    // Mid-run: updates are hanging and clicks remain unfinished.
    await waitFor(async () => (await hanging()) > 0 && (await clicksOf()).some((c) => c.state !== 'DONE'), 30_000, 20);
    const doneAtKill = (await clicksOf()).filter((c) => c.state === 'DONE').length;
    await killHard(workers[0]!);

    await waitFor(
      async () => {
        const clicks = await clicksOf();
        return clicks.length === accepted && clicks.every((c) => c.state === 'DONE');
      },
      90_000,
      100,
    );

    const clicks = await clicksOf();
    expect(clicks).toHaveLength(accepted);
    for (const c of cards) {
      const mine = clicks.filter((k) => k.activityId === c.activityId && k.portal.memberId === c.memberId);
      const applied = mine.filter((k) => k.outcome === 'applied');
      expect(applied, `${c.id}: ${JSON.stringify(mine.map((k) => k.outcome))}`).toHaveLength(1);
      expect(mine.filter((k) => k.outcome !== 'applied').every((k) => k.outcome === 'already_decided')).toBe(true);
      const row = await stack.db.approval.findUniqueOrThrow({ where: { id: c.id } });
      expect(row.state).toBe(applied[0]!.actionId === 'approve' ? 'APPROVED' : 'REJECTED');
      expect(row.decidedById).toBe(applied[0]!.userId);

      const act = await stack.emu.activity(c.memberId, c.activityId);
      expect(act.locked).toBe(false);
      expect(act.fields.completed).toBe(true);
      expect(restEventIds(act.layout)).toEqual([]);
      const landed = (await stack.emu.calls({ memberId: c.memberId, method: UPDATE })).filter(
        (k) => Number((k.params as { id?: unknown }).id) === c.activityId && k.status === 200,
      );
      // Every click ends in one update of the card (the decision, or the decided layout again for the
      // click that lost); a click re-run after the kill may have re-sent its identical update.
      const rerun = mine.some((k) => k.attempts > 1);
      const fields = JSON.stringify(landed.map((k) => (k.params as { fields?: unknown }).fields));
      if (rerun) expect(landed.length, fields).toBeGreaterThanOrEqual(mine.length);
      else expect(landed, fields).toHaveLength(mine.length);
    }
    for (const p of portals)
      expect((await stack.emu.locks({ memberId: p.memberId })).filter((l) => l.releasedAt === undefined)).toEqual([]);

    // Both servers took events, and the keys really are spread over the cluster's masters.
    expect(upstreams.every((u) => u.requests > 0)).toBe(true);
    const sizes = await Promise.all(
      cluster.ports.map(async (port) => {
        const node = new Redis({ port, host: '127.0.0.1' });
        try {
          return await node.dbsize();
        } finally {
          node.disconnect();
        }
      }),
    );
    expect(sizes.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    // The survivors carried on: the killed worker's output ends without a shutdown line.
    expect(workers[0]!.output()).not.toContain('"msg":"stopped"');
    console.info(
      `[scale-out] ${accepted} clicks on ${portals.length} portals; worker killed with ${doneAtKill} done; ` +
        `${clicks.filter((k) => k.attempts > 1).length} re-run; requests per server ${upstreams.map((u) => u.requests).join('/')}; keys per master ${sizes.join('/')}`,
    );
  }, 240_000);
});
