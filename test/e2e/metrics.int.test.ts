import { timelineActionJob } from '@b24app/jobs';
import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerMetrics } from '../../apps/worker/src/observability/worker-metrics.js';
import { createApproval, settled } from '../support/approvals.js';
import { type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

const METRICS_TOKEN = 'operator-metrics-token-0123456789';
let stack: Stack;
let p: InstalledPortal;
beforeAll(async () => {
  stack = await startStack({ worker: true, env: { METRICS_TOKEN } });
  p = await stack.installedPortal();
});
afterAll(async () => {
  await stack?.close();
});

/** Sum of the samples of `name` whose labels include `labels` (Prometheus text format). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let found: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) found = (found ?? 0) + Number(m[4]);
  }
  return found;
}

const scrapeServer = async () => {
  const res = await fetch(`${stack.serverUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  return res.text();
};
const scrapeWorker = () => stack.metrics.worker.metrics();
const post = (body: string) =>
  fetch(`${stack.serverUrl}/b24/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });

describe('metrics after an end-to-end click (issue 14)', () => {
  it('the server refuses an unauthenticated scrape', async () => {
    expect((await fetch(`${stack.serverUrl}/metrics`)).status).toBe(401);
  });

  it('every family moves: intake, events by outcome, queues, jobs, click → update, locked cards, REST calls, refreshes, headroom', async () => {
    const before = { server: await scrapeServer(), worker: await scrapeWorker() };
    const accepted = (t: string) =>
      sample(t, 'b24app_events_total', { type: 'ONCRMTIMELINEITEMACTION', outcome: 'accepted' }) ?? 0;

    // A click, end to end.
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve' });
    await settled(stack, p.memberId, a.activityId, 1);

    // The same delivery again (duplicate), with a forged token, and a malformed one.
    const [delivery] = (await stack.emu.deliveries({ memberId: p.memberId, event: 'ONCRMTIMELINEITEMACTION' })).filter(
      (d) => (d.fields as { data: { activityId: string } }).data.activityId === String(a.activityId),
    );
    expect((await post(delivery!.body)).status).toBe(200);
    const forged = delivery!.body.replace(/(auth%5Bapplication_token%5D=)[^&]+/, '$1forged0123456789');
    expect(forged).not.toBe(delivery!.body);
    expect((await post(forged)).status).toBe(401);
    expect((await post('event=ONCRMTIMELINEITEMACTION&data=%5B')).status).toBe(400);

    // expired_token on the next call (the client refreshes and replays), then QUERY_LIMIT_EXCEEDED from a portal
    // whose real bucket is smaller than the one we assume.
    await stack.emu.expireTokens(p.memberId, stack.clientId);
    await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    await stack.emu.setLimits(p.memberId, { burst: 2, drainPerSec: 4 });
    await Promise.all(
      Array.from({ length: 5 }, () => createApproval(stack, { memberId: p.memberId, ownerId: p.dealId })),
    );

    // A refresh that fails: the portal's tokens are revoked.
    const q = await stack.installedPortal();
    await stack.emu.revokeTokens(q.memberId, stack.clientId);
    await stack.emu.expireTokens(q.memberId, stack.clientId);
    const refused = await fetch(`${stack.serverUrl}/api/v1/approvals`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-api-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({ memberId: q.memberId, ownerTypeId: 2, ownerId: q.dealId, title: 'x' }),
    });
    // Accepted (creates are the creation job's): the job's refresh is refused, and the create ends failed.
    expect(refused.status).toBe(202);
    await waitFor(
      async () => (sample(await scrapeWorker(), 'b24app_token_refreshes_total', { outcome: 'failed' }) ?? 0) >= 1,
    );

    const server = await scrapeServer();
    const worker = await scrapeWorker();

    // Server: events by outcome and the intake histogram.
    expect(accepted(server)).toBe(accepted(before.server) + 1);
    for (const outcome of ['duplicate', 'forged']) {
      expect(
        sample(server, 'b24app_events_total', { type: 'ONCRMTIMELINEITEMACTION', outcome }),
        outcome,
      ).toBeGreaterThanOrEqual(1);
    }
    expect(sample(server, 'b24app_events_total', { outcome: 'malformed' })).toBeGreaterThanOrEqual(1);
    expect(
      sample(server, 'b24app_intake_duration_seconds_count', { type: 'ONCRMTIMELINEITEMACTION' }),
    ).toBeGreaterThanOrEqual(4);

    // REST calls by method and outcome (the adds are the worker's creation job's); refreshes and their failures.
    expect(
      sample(worker, 'b24app_rest_requests_total', { method: 'crm.activity.configurable.add', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(7);
    expect(sample(worker, 'b24app_rest_requests_total', { outcome: 'expired_token' })).toBeGreaterThanOrEqual(1);
    expect(sample(worker, 'b24app_rest_requests_total', { outcome: 'QUERY_LIMIT_EXCEEDED' })).toBeGreaterThanOrEqual(1);
    expect(
      sample(worker, 'b24app_rest_requests_total', { method: 'crm.activity.configurable.update', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(worker, 'b24app_token_refreshes_total', { outcome: 'oauth' })).toBeGreaterThanOrEqual(1);
    expect(sample(worker, 'b24app_token_refreshes_total', { outcome: 'failed' })).toBeGreaterThanOrEqual(1);

    // The bucket headroom gauge names the busy portal, below its admitted burst.
    const headroom = sample(worker, 'b24app_portal_bucket_headroom', { member_id: p.memberId });
    expect(headroom).toBeDefined();
    expect(headroom!).toBeLessThan(49);

    // Worker: the job, the click → update latency, the queue and the locked cards.
    expect(sample(worker, 'b24app_job_duration_seconds_count', { outcome: 'completed' })).toBe(
      (sample(before.worker, 'b24app_job_duration_seconds_count', { outcome: 'completed' }) ?? 0) + 1,
    );
    expect(sample(worker, 'b24app_click_to_update_seconds_count')).toBe(
      (sample(before.worker, 'b24app_click_to_update_seconds_count') ?? 0) + 1,
    );
    expect(sample(worker, 'b24app_clicks_finished_total', { outcome: 'applied' })).toBeGreaterThanOrEqual(1);
    expect(sample(worker, 'b24app_queue_jobs', { state: 'waiting' })).toBe(0);
    expect(sample(worker, 'b24app_queue_jobs', { state: 'failed' })).toBeDefined();
    expect(sample(worker, 'b24app_queue_oldest_waiting_seconds')).toBe(0);
    expect(sample(worker, 'b24app_cards_locked', { state: 'pending' })).toBe(0);
  });

  it('queue depth, oldest age and locked cards count a click that waits (no worker running)', async () => {
    // A portal whose bucket is free (the first test filled this one's): its click waits for a worker, not
    // for a slot (a click over its portal's bucket waits in `delayed` until its slot). Its card is created first,
    // by the worker's creation job.
    const fresh = await stack.installedPortal();
    const a = await createApproval(stack, { memberId: fresh.memberId, ownerId: fresh.dealId });
    await stack.worker!.close();
    // The worker's gauges read shared state (Redis, PostgreSQL): the same module, with no consumer running.
    const queue = new Queue(timelineActionJob.queue, { connection: stack.redis, prefix: stack.env.QUEUE_PREFIX });
    const registry = new Registry();
    createWorkerMetrics(registry, { db: stack.db, queues: [queue] });
    try {
      await stack.emu.click(fresh.memberId, { activityId: a.activityId, actionId: 'approve' });
      await waitFor(
        async () => (sample(await registry.metrics(), 'b24app_queue_jobs', { state: 'waiting' }) ?? 0) >= 1,
      );
      const text = await registry.metrics();
      expect(sample(text, 'b24app_queue_oldest_waiting_seconds')).toBeGreaterThan(0);
      expect(sample(text, 'b24app_cards_locked', { state: 'pending' })).toBe(1);
      stack.startWorker();
      await settled(stack, fresh.memberId, a.activityId, 1);
      const after = await registry.metrics();
      expect(sample(after, 'b24app_cards_locked', { state: 'pending' })).toBe(0);
      expect(sample(after, 'b24app_queue_jobs', { state: 'waiting' })).toBe(0);
    } finally {
      await queue.close();
    }
  });

  it('no token appears in a scrape', async () => {
    const text = (await scrapeServer()) + (await scrapeWorker());
    expect(text).not.toContain(p.applicationToken);
    const row = await stack.db.portal.findUnique({ where: { memberId: p.memberId } });
    expect(row).not.toBeNull();
  });
});
