// Event intake throughput and latency: our POST /b24/events (parse, verify the application token, record in
// PostgreSQL, enqueue on BullMQ, answer) against a same-run baseline: a bare Express handler that only reads
// the body and calls queue.add on the same Redis. Same bodies, same concurrency, same machine, same run.
// Run alone: node --conditions=development --import tsx bench/intake.bench.ts
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { encodePhpForm } from '@b24app/emulator';
import { createRedis } from '@b24app/jobs';
import { Queue } from 'bullmq';
import express from 'express';
import { createApproval } from '../test/support/approvals.js';
import { startStack } from '../test/support/stack.js';
import { drive, summarize } from './bench-stats.js';
import { formatTable, type Metric } from './results.js';

const N = Number(process.env.BENCH_INTAKE_N ?? 3_000);
const CONCURRENCY = Number(process.env.BENCH_INTAKE_CONCURRENCY ?? 16);
const WARMUP = 300;

export async function run(): Promise<Metric[]> {
  const stack = await startStack({ logLevel: 'warn', creator: true });
  const baselineRedis = createRedis(stack.config.REDIS_URL, 'producer');
  const baselineQueue = new Queue('bench-baseline', { connection: baselineRedis, prefix: `bench${process.pid}` });
  const bare = express();
  bare.post('/events', express.text({ type: 'application/x-www-form-urlencoded', limit: '64kb' }), async (req, res) => {
    await baselineQueue.add('click', { body: String(req.body).length });
    res.json({ ok: true });
  });
  const bareServer = bare.listen(0, '127.0.0.1');
  await new Promise((r) => bareServer.once('listening', r));
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/events`;

  try {
    const p = await stack.installedPortal();
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    const ts0 = Math.floor(Date.now() / 1000);
    // Distinct deliveries (distinct ts), shaped exactly like protocol §3.3.
    const body = (i: number) =>
      encodePhpForm({
        event: 'ONCRMTIMELINEITEMACTION',
        event_handler_id: '42',
        data: {
          approvalId: a.id,
          entityTypeId: '2',
          entityId: String(p.dealId),
          activityId: String(a.activityId),
          id: 'approve',
        },
        ts: String(ts0 + i),
        auth: {
          access_token: 'x'.repeat(70),
          expires: String(ts0 + 3600),
          expires_in: '3600',
          scope: 'crm',
          domain: p.domain,
          server_endpoint: stack.emulator.oauthServerEndpoint,
          status: 'L',
          client_endpoint: `http://${p.domain}/rest/`,
          member_id: p.memberId,
          user_id: '1',
          application_token: p.applicationToken,
        },
      });
    const bodies = Array.from({ length: N + WARMUP * 2 }, (_, i) => body(i));
    const post = async (url: string, b: string) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: b,
      });
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    };
    const ours = `${stack.serverUrl}/b24/events`;

    // Warm both, then measure alternately (baseline, ours) so drift hits both equally.
    await drive(WARMUP, CONCURRENCY, (i) => post(bareUrl, bodies[i]!));
    await drive(WARMUP, CONCURRENCY, (i) => post(ours, bodies[WARMUP + i]!));
    const base = await drive(N, CONCURRENCY, (i) => post(bareUrl, bodies[i]!));
    const mine = await drive(N, CONCURRENCY, (i) => post(ours, bodies[WARMUP * 2 + i]!));
    const b = summarize(base.latencies, base.wallMs);
    const m = summarize(mine.latencies, mine.wallMs);

    const recorded = await stack.db.timelineEvent.count({
      where: { activityId: a.activityId, portal: { memberId: p.memberId } },
    });
    if (recorded !== N + WARMUP) throw new Error(`expected ${N + WARMUP} recorded clicks, found ${recorded}`);

    const note = `n=${N}, concurrency ${CONCURRENCY}; baseline = a bare Express handler doing only queue.add`;
    return [
      { name: 'intake.rps', value: m.perSec, unit: 'req/s', baseline: b.perSec, note },
      { name: 'intake.p50_ms', value: m.p50, unit: 'ms', baseline: b.p50, note },
      { name: 'intake.p99_ms', value: m.p99, unit: 'ms', baseline: b.p99, note },
      { name: 'intake.throughput_ratio', value: m.perSec / b.perSec, unit: '×', note: 'ours / baseline (goal ≥ 1)' },
      { name: 'intake.p99_ratio', value: m.p99 / b.p99, unit: '×', note: 'ours / baseline (goal ≤ 1)' },
    ];
  } finally {
    await new Promise((r) => bareServer.close(r));
    await baselineQueue.obliterate({ force: true }).catch(() => {});
    await baselineQueue.close();
    await baselineRedis.quit();
    await stack.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatTable(await run()));
  process.exit(0);
}
