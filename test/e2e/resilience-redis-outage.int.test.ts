import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApproval, getApproval, restEventIds } from '../support/approvals.js';
import { type PrivateRedis, startPrivateRedis } from '../support/redis-server.js';
import { type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

// Issue 6: "Redis stopped while clicks arrive: every click that got 200 is processed after Redis returns."
// The stack (server AND worker runtime) runs on a private redis-server that this file kills and restarts.

let redis: PrivateRedis;
let stack: Stack;
let p: InstalledPortal;

beforeAll(async () => {
  redis = await startPrivateRedis();
  stack = await startStack({ worker: true, isolatedDatabase: true, env: { REDIS_URL: redis.url } });
  p = await stack.installedPortal();
});
afterAll(async () => {
  await redis?.start().catch(() => {}); // a stack closes faster with its Redis up
  await stack?.close();
  await redis?.stop();
});

const clickStates = (activityIds: number[]) =>
  stack.db.timelineEvent.findMany({
    where: { portal: { memberId: p.memberId }, activityId: { in: activityIds } },
    select: { id: true, activityId: true, state: true, outcome: true, attempts: true },
  });

describe('Redis down while clicks arrive (issue 6)', () => {
  it('the server and the worker both use the private Redis', async () => {
    expect(stack.env.REDIS_URL).toBe(redis.url);
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve' });
    await waitFor(async () => (await getApproval(stack, a.id)).clicks[0]?.state === 'done');
    const [click] = await clickStates([a.activityId]);

    // The server enqueued it (job id = click id; the relay never ran) and the worker completed it, there.
    const probe = new Redis(redis.url);
    const job = await probe.hgetall(`${stack.env.QUEUE_PREFIX}:timeline-actions:${click!.id}`);
    const completed = await probe.zscore(`${stack.env.QUEUE_PREFIX}:timeline-actions:completed`, click!.id);
    await probe.quit();
    expect(job.name).toBe('timeline-action');
    expect(completed).not.toBeNull();
    expect(stack.logs.text()).not.toContain('relayed recorded clicks');
  });

  it('every click acknowledged during the outage is processed once Redis is back', async () => {
    const N = 12;
    const approvals: Awaited<ReturnType<typeof createApproval>>[] = [];
    for (let i = 0; i < N; i++)
      approvals.push(await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId }));
    const ids = approvals.map((a) => a.activityId);

    await redis.stop('SIGKILL');
    const acks: number[] = [];
    const ackMs: number[] = [];
    for (const [i, a] of approvals.entries()) {
      const t0 = Date.now();
      const r = await stack.emu.click(p.memberId, {
        activityId: a.activityId,
        actionId: i % 2 === 0 ? 'approve' : 'reject',
      });
      ackMs.push(Date.now() - t0);
      acks.push(...r.statuses);
    }
    // Durable in PostgreSQL, so acknowledged even without Redis.
    expect(acks).toEqual(Array(N).fill(200));

    // While Redis is down nothing can be processed: the clicks wait in PostgreSQL, the cards stay locked.
    await new Promise((r) => setTimeout(r, 1_500)); // bounded on purpose: proves that nothing happens
    const waiting = await clickStates(ids);
    expect(waiting).toHaveLength(N);
    expect(waiting.every((c) => c.state === 'RECEIVED')).toBe(true);
    expect((await stack.emu.activity(p.memberId, ids[0]!)).locked).toBe(true);

    const back = Date.now();
    await redis.start();
    await waitFor(async () => (await clickStates(ids)).every((c) => c.state === 'DONE'), 30_000, 100);
    const recoveryMs = Date.now() - back;
    expect(stack.logs.text()).toContain('relayed recorded clicks to the queue');

    for (const [i, a] of approvals.entries()) {
      const act = await stack.emu.activity(p.memberId, a.activityId);
      expect(act.locked).toBe(false);
      expect(act.fields.completed).toBe(true);
      expect(restEventIds(act.layout)).toEqual([]);
      const api = await getApproval(stack, a.id);
      expect(api.state).toBe(i % 2 === 0 ? 'approved' : 'rejected');
      expect(api.clicks).toEqual([expect.objectContaining({ state: 'done', outcome: 'applied' })]);
    }
    console.info(
      `[resilience] redis outage: ${N} clicks acked in p50 ${median(ackMs)} ms / max ${Math.max(...ackMs)} ms without Redis; all done ${recoveryMs} ms after Redis returned`,
    );
  });

  it('Redis restarted empty (its queue lost) while clicks were queued: the sweeper finishes them', async () => {
    // The worker is away, clicks are enqueued, then Redis loses everything: only PostgreSQL remembers them.
    const approvals: Awaited<ReturnType<typeof createApproval>>[] = [];
    for (let i = 0; i < 4; i++)
      approvals.push(await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId })); // the worker's job adds them
    await stack.worker?.close();
    const ids = approvals.map((a) => a.activityId);
    for (const a of approvals) await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve' });
    await waitFor(async () => (await clickStates(ids)).every((c) => c.state === 'ENQUEUED'));

    await redis.stop('SIGKILL');
    await redis.start(); // no persistence: the jobs are gone
    const back = Date.now();
    stack.startWorker();
    await waitFor(async () => (await clickStates(ids)).every((c) => c.state === 'DONE'), 30_000, 100);
    const recoveryMs = Date.now() - back;
    for (const a of approvals) {
      const act = await stack.emu.activity(p.memberId, a.activityId);
      expect(act.locked).toBe(false);
      expect((await getApproval(stack, a.id)).state).toBe('approved');
    }
    expect(stack.logs.text()).toContain('stuck clicks swept');
    console.info(`[resilience] redis data loss: 4 queued clicks recovered by the sweeper in ${recoveryMs} ms`);
  });
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}
