// Click → update latency: how long a card stays locked (loader / disabled button) between the user's click
// and our crm.activity.configurable.update, measured by the emulator itself (lock durations), with clicks
// arriving at a steady 100/s spread over 20 portals. The whole path is real: emulator delivery, our
// server's intake (PostgreSQL + BullMQ), our worker (per-activity lease, decision, layout, REST update).
// Three processes, as deployed: the emulator, the worker, and this one (our server + the click driver).
// Same-run reference: the intake part alone (click → our 200), from the emulator's delivery log.
// Run alone: node --conditions=development --import tsx bench/click-latency.bench.ts
import { pathToFileURL } from 'node:url';
import { createApproval } from '../test/support/approvals.js';
import { type InstalledPortal, startStack, waitFor } from '../test/support/stack.js';
import { startWorkerProcess } from '../test/support/worker-process.js';
import { startEmulatorProcess } from './emulator-process.js';
import { timelineActionJob } from '@b24app/jobs';
import { Queue } from 'bullmq';
import { type BenchLine, fmt, formatLine, percentile } from './bench-stats.js';

const PORTALS = 20;
const RATE = Number(process.env.BENCH_CLICK_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_CLICK_SECONDS ?? 5);

export async function run(): Promise<BenchLine[]> {
  // Bitrix24's real limits would cap 20 portals at 40 calls/s; this measures our path, so the emulator and
  // our shared limiter get a roomy bucket (the rate-limit path has its own tests).
  const stack = await startStack({
    emulator: await startEmulatorProcess(),
    logLevel: 'warn',
    env: { B24_RATE_LIMIT_BURST: '5000', B24_RATE_LIMIT_PER_SEC: '1000', WORKER_CONCURRENCY: '32', LOG_LEVEL: 'warn' },
  });
  // The worker in its own process, as in production (this process also plays Bitrix24 and the server).
  const worker = await startWorkerProcess(stack);
  try {
    const portals: InstalledPortal[] = [];
    for (let i = 0; i < PORTALS; i++)
      portals.push(await stack.installedPortal({ limits: { burst: 5000, drainPerSec: 1000 } }));
    const total = RATE * SECONDS;
    const targets: { memberId: string; activityId: number }[] = [];
    for (let i = 0; i < total; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(10, total - i) }, (_, k) => {
          const p = portals[(i + k) % PORTALS]!;
          return createApproval(stack, { memberId: p.memberId, ownerId: p.dealId }).then((a) => ({
            memberId: p.memberId,
            activityId: a.activityId,
          }));
        }),
      );
      targets.push(...batch);
    }

    const t0 = performance.now();
    const clicks: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const t = targets[i]!;
      clicks.push(stack.emu.click(t.memberId, { activityId: t.activityId, actionId: i % 2 ? 'approve' : 'reject' }));
    }
    await Promise.all(clicks);
    const sentSec = (performance.now() - t0) / 1000;
    await waitFor(
      async () => (await stack.emu.locks()).filter((l) => l.releasedAt === undefined).length === 0,
      120_000,
      100,
    );

    const locks = (await stack.emu.locks()).filter((l) =>
      targets.some((t) => t.activityId === l.activityId && t.memberId === l.memberId),
    );
    const durations = locks.map((l) => l.durationMs ?? Number.NaN).sort((a, b) => a - b);
    const deliveries = (await stack.emu.deliveries({ event: 'ONCRMTIMELINEITEMACTION' }))
      .map((d) => d.durationMs)
      .sort((a, b) => a - b);
    const done = await stack.db.timelineEvent.count({ where: { state: 'DONE', outcome: 'applied' } });
    if (locks.length !== total || done !== total)
      throw new Error(`expected ${total} released locks and applied clicks, got ${locks.length} / ${done}`);

    // Where the time goes, from our own per-click timestamps.
    const rows = await stack.db.timelineEvent.findMany({
      select: { receivedAt: true, enqueuedAt: true, processingStartedAt: true, updatedActivityAt: true },
    });
    const p50 = (f: (r: (typeof rows)[number]) => number) =>
      percentile(
        rows
          .map(f)
          .filter(Number.isFinite)
          .sort((a, b) => a - b),
        50,
      );
    const ms = (d: Date | null) => d?.getTime() ?? Number.NaN;
    const breakdown = `received→enqueued ${fmt(
      p50((r) => ms(r.enqueuedAt) - ms(r.receivedAt)),
      0,
    )} ms, enqueued→started ${fmt(
      p50((r) => ms(r.processingStartedAt) - ms(r.enqueuedAt)),
      0,
    )} ms, started→updated ${fmt(
      p50((r) => ms(r.updatedActivityAt) - ms(r.processingStartedAt)),
      0,
    )} ms (p50s)`;

    const queue = new Queue(timelineActionJob.queue, { connection: stack.redis, prefix: stack.env.QUEUE_PREFIX });
    const jobs = await queue.getJobs(['completed'], 0, total);
    await queue.close();
    const waits = jobs.map((j) => (j.processedOn ?? Number.NaN) - j.timestamp).sort((a, b) => a - b);
    const runs = jobs.map((j) => (j.finishedOn ?? Number.NaN) - (j.processedOn ?? Number.NaN)).sort((a, b) => a - b);
    const updates = (await stack.emu.calls({ method: 'crm.activity.configurable.update' })).map((c) => c.durationMs);
    const serverSideUpdate = percentile(
      updates.sort((a, b) => a - b),
      50,
    );
    const queueNote = `job waiting p50 ${fmt(percentile(waits, 50), 0)} ms, job running p50 ${fmt(percentile(runs, 50), 0)} ms, update inside the emulator p50 ${fmt(serverSideUpdate, 1)} ms`;

    return [
      {
        name: `click → update (lock held), ${fmt(total / sentSec, 0)} clicks/s over ${PORTALS} portals`,
        value: `p50 ${fmt(percentile(durations, 50), 0)} ms, p99 ${fmt(percentile(durations, 99), 0)} ms`,
        note: `max ${fmt(durations[durations.length - 1] ?? Number.NaN, 0)} ms, n=${total}; ${breakdown}; ${queueNote}`,
      },
      {
        name: 'reference: click → our 200 (intake only)',
        value: `p50 ${fmt(percentile(deliveries, 50), 0)} ms, p99 ${fmt(percentile(deliveries, 99), 0)} ms`,
        note: `update path costs ${fmt(percentile(durations, 50) / Math.max(1, percentile(deliveries, 50)), 1)}× the intake at p50`,
      },
    ];
  } finally {
    await worker.stop('SIGTERM');
    await stack.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await run()) console.log(formatLine(r));
  process.exit(0);
}
