// Click → update latency: how long a card stays locked (loader / disabled button) between the user's click
// and our crm.activity.configurable.update, measured by the emulator itself (lock durations), with clicks
// arriving at a steady BENCH_CLICK_RATE/s (default 100) for BENCH_CLICK_SECONDS (default 5) spread over 20
// portals. The whole path is real and every part is its own process (bench/support/process-stack.ts):
// emulator delivery, our server's intake (PostgreSQL + BullMQ), our worker (per-activity ordering, decision,
// layout, REST update). Same-run reference (the baseline column): the intake part alone (click → our 200),
// from the emulator's delivery log. Where the time goes: p50 of each step from our own per-click timestamps.
// Run alone: node --conditions=development --import tsx bench/click-latency.bench.ts
import { pathToFileURL } from 'node:url';
import { timelineActionJob } from '@b24app/jobs';
import { Queue } from 'bullmq';
import { fmt, percentile } from './bench-stats.js';
import { formatTable, type Metric } from './results.js';
import { clickAtRate, lockDurations, startBenchStack } from './support/process-stack.js';

const PORTALS = 20;

const p50 = (xs: number[]) =>
  percentile(
    xs.filter(Number.isFinite).sort((a, b) => a - b),
    50,
  );

export async function run(): Promise<Metric[]> {
  const rate = Number(process.env.BENCH_CLICK_RATE ?? 100);
  const seconds = Number(process.env.BENCH_CLICK_SECONDS ?? 5);
  const stack = await startBenchStack();
  try {
    const portals = await stack.installPortals(PORTALS);
    const total = rate * seconds;
    const clicks = await stack.createApprovals(Array.from({ length: total }, (_, i) => portals[i % PORTALS]!));
    const deliveriesSince = (await stack.emu.deliveries()).at(-1)?.seq ?? 0;
    const callsSince = (await stack.emu.calls()).at(-1)?.seq ?? 0;

    const sent = await clickAtRate(stack.emu, clicks, rate);
    if (sent.failed) throw new Error(`${sent.failed} of ${total} clicks were not delivered`);
    const durations = await lockDurations(stack.emu, sent.lockIds, 120_000);
    const deliveries = (await stack.emu.deliveries({ event: 'ONCRMTIMELINEITEMACTION', since: deliveriesSince }))
      .map((d) => d.durationMs)
      .sort((a, b) => a - b);
    const { rows: done } = await stack.pg.query(
      "SELECT count(*)::int AS n FROM timeline_events WHERE state = 'DONE' AND outcome = 'applied'",
    );
    if (durations.length !== total || done[0].n !== total)
      throw new Error(`expected ${total} released locks and applied clicks, got ${durations.length} / ${done[0].n}`);

    // Where the time goes, from our own per-click timestamps (ms).
    const { rows } = await stack.pg.query<{ enq: number; start: number; upd: number }>(
      `SELECT extract(epoch FROM enqueued_at - received_at) * 1000 AS enq,
              extract(epoch FROM processing_started_at - enqueued_at) * 1000 AS start,
              extract(epoch FROM updated_activity_at - processing_started_at) * 1000 AS upd
         FROM timeline_events`,
    );
    const queue = new Queue(timelineActionJob.queue, { connection: stack.redis, prefix: stack.env.QUEUE_PREFIX });
    const jobs = await queue.getJobs(['completed'], 0, -1);
    await queue.close();
    const updates = (await stack.emu.calls({ method: 'crm.activity.configurable.update', since: callsSince })).map(
      (c) => c.durationMs,
    );

    const at = `${fmt(sent.sentPerSec, 0)} clicks/s over ${PORTALS} portals, n=${total}`;
    const step = (name: string, value: number, note: string): Metric => ({ name, value, unit: 'ms', note });
    return [
      {
        name: 'click.p50_ms',
        value: percentile(durations, 50),
        unit: 'ms',
        baseline: percentile(deliveries, 50),
        note: `click → update (lock held), ${at}; baseline = click → our 200 (intake only)`,
      },
      {
        name: 'click.p99_ms',
        value: percentile(durations, 99),
        unit: 'ms',
        baseline: percentile(deliveries, 99),
        note: `max ${fmt(durations.at(-1) ?? Number.NaN, 0)} ms; baseline = intake only`,
      },
      step('click.received_to_enqueued_p50_ms', p50(rows.map((r) => Number(r.enq))), 'our timestamps'),
      step('click.enqueued_to_started_p50_ms', p50(rows.map((r) => Number(r.start))), 'our timestamps'),
      step('click.started_to_updated_p50_ms', p50(rows.map((r) => Number(r.upd))), 'our timestamps'),
      step(
        'click.job_waiting_p50_ms',
        p50(jobs.map((j) => (j.processedOn ?? Number.NaN) - j.timestamp)),
        'BullMQ: added → picked up',
      ),
      step(
        'click.job_running_p50_ms',
        p50(jobs.map((j) => (j.finishedOn ?? Number.NaN) - (j.processedOn ?? Number.NaN))),
        'BullMQ: picked up → finished',
      ),
      step('click.emulator_update_p50_ms', p50(updates), 'crm.activity.configurable.update inside the emulator'),
    ];
  } finally {
    await stack.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatTable(await run()));
  process.exit(0);
}
