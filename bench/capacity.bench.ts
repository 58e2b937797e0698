// Capacity: the highest steady click rate, spread over 200 portals, that the whole product sustains with the
// click → update p99 under 250 ms (the emulator's own lock durations), in steps of BENCH_CAPACITY_STEP_S
// seconds at each rate of BENCH_CAPACITY_RATES, stopping at the first rate that breaks. While each step runs,
// the CPU of the server, the worker, this stack's PostgreSQL backends and its private redis-server is read
// from /proc, with Redis commands (INFO commandstats) and PostgreSQL transactions (pg_stat_database), over a
// steady window (from 2 s in to the last click sent) and divided by the clicks finished inside it.
// Every process is started from its public entry point (bench/support/process-stack.ts); a bucket no step
// reaches, since this measures our path, not the rate limit. The emulator's CPU is reported apart.
// Run alone: node --conditions=development --import tsx bench/capacity.bench.ts [--quick]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { fmt, percentile, progress } from './bench-stats.js';
import { formatTable, type Metric } from './results.js';
import { engineCounters } from './support/engine-stats.js';
import {
  type BenchPortal,
  clickAllAtRate,
  clickAtRate,
  lockDurations,
  startBenchStack,
  waitForLocks,
} from './support/process-stack.js';
import { cpuMeter } from './support/proc-stats.js';

const PORTALS = 200;
const P99_LIMIT_MS = 250;
const WARM_MS = 2_000;

interface Step {
  rate: number;
  sentPerSec: number;
  p50: number;
  p99: number;
  max: number;
  sustained: boolean;
  windowClicks: number;
  cpuMs: Record<string, number>;
  redisCommands: number;
  pgTransactions: number;
  machineBusy: number;
}

/** Busy fraction of the whole machine (every process, every core) from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export async function run(opts: { quick?: boolean } = {}): Promise<Metric[]> {
  const rates = (process.env.BENCH_CAPACITY_RATES ?? (opts.quick ? '100,200' : '100,150,200,300,400'))
    .split(',')
    .map(Number);
  const stepSec = Number(process.env.BENCH_CAPACITY_STEP_S ?? (opts.quick ? 10 : 20));
  const stack = await startBenchStack();
  try {
    const portals = await stack.installPortals(PORTALS, { concurrency: 16 });
    progress(`capacity: ${PORTALS} portals installed`);
    // Warm-up, not measured: one click per portal, so every process has met every portal once.
    const warm = await stack.createApprovals(portals);
    await lockDurations(stack.emu, await clickAllAtRate(stack.emu, warm, 50), 60_000);

    const steps: Step[] = [];
    for (const rate of rates) {
      const n = Math.round(rate * stepSec);
      const targets: BenchPortal[] = Array.from({ length: n }, (_, i) => portals[i % PORTALS]!);
      const clicks = await stack.createApprovals(targets, 16);
      progress(`capacity: ${n} approvals created for the ${rate}/s step`);
      const pids = stack.pids();
      const meter = cpuMeter({
        server: () => [pids.server],
        worker: () => [pids.worker],
        postgres: () => stack.pids().postgres,
        redis: () => [pids.redis],
        emulator: () => [pids.emulator],
      });
      let window: { from: number; to: number; cpu: Record<string, number>; redis: number; pg: number; busy: number } = {
        from: 0,
        to: 0,
        cpu: {},
        redis: 0,
        pg: 0,
        busy: Number.NaN,
      };
      const windowDone = (async () => {
        await new Promise((r) => setTimeout(r, WARM_MS));
        const c0 = await engineCounters(stack.redis, stack.pg, stack.databaseName);
        const m0 = machineTicks();
        meter.start();
        const from = Date.now();
        await new Promise((r) => setTimeout(r, stepSec * 1000 - WARM_MS));
        const cpu = meter.stop();
        const to = Date.now();
        const m1 = machineTicks();
        const c1 = await engineCounters(stack.redis, stack.pg, stack.databaseName);
        window = {
          from,
          to,
          cpu,
          redis: c1.redisCommands - c0.redisCommands,
          pg: c1.pgTransactions - c0.pgTransactions,
          busy: (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total),
        };
      })();
      const sent = await clickAtRate(stack.emu, clicks, rate);
      await windowDone;
      // A card still locked a minute after the step counts with its age then: that step's p99 is a lower bound.
      const { durations, unfinished } = await waitForLocks(stack.emu, sent.lockIds, 60_000);
      const complete = sent.failed === 0 && unfinished === 0;
      if (!complete) progress(`capacity ${rate}/s: ${sent.failed} clicks not taken, ${unfinished} cards still locked`);
      const wanted = new Set(sent.lockIds);
      const windowClicks = (await stack.emu.locks()).filter(
        (l) =>
          wanted.has(l.id) && l.releasedAt !== undefined && l.releasedAt >= window.from && l.releasedAt < window.to,
      ).length;
      const p99 = percentile(durations, 99);
      const step: Step = {
        rate,
        sentPerSec: sent.sentPerSec,
        p50: percentile(durations, 50),
        p99,
        max: durations[durations.length - 1] ?? Number.NaN,
        sustained: complete && p99 < P99_LIMIT_MS && sent.sentPerSec >= rate * 0.95,
        windowClicks,
        cpuMs: window.cpu,
        redisCommands: window.redis,
        pgTransactions: window.pg,
        machineBusy: window.busy,
      };
      steps.push(step);
      progress(`capacity step ${rate}/s: ${describe(step)}`);
      if (!step.sustained) break;
    }

    const best = steps.filter((s) => s.sustained).at(-1);
    const broke = steps.find((s) => !s.sustained);
    // Per-click work from the highest sustained step: at a broken step the clicks finished in the window undercount
    // the work done (intake of every click sent, a growing backlog), so its figures are inflated.
    const first = best ?? steps[0]!;
    const per = (x: number) => x / Math.max(1, first.windowClicks);
    const appCpu = ['server', 'worker', 'postgres', 'redis'].reduce((a, k) => a + (first.cpuMs[k] ?? 0), 0);
    const at = `at ${first.rate}/s over ${PORTALS} portals${best ? '' : ' (a broken step: inflated, see README)'}`;
    return [
      {
        name: 'capacity.clicks_per_s',
        value: best?.rate ?? 0,
        unit: 'clicks/s',
        note: `highest step with p99 < ${P99_LIMIT_MS} ms over ${PORTALS} portals, ${stepSec} s steps; ${steps
          .map((s) => `${s.rate}/s p99 ${s.sustained ? '' : '≥ '}${fmt(s.p99, 0)} ms`)
          .join(', ')}${broke ? `; broke at ${broke.rate}/s (machine ${fmt(broke.machineBusy * 100, 0)} % busy)` : ''}`,
      },
      {
        name: 'capacity.p99_ms',
        value: best?.p99 ?? first.p99,
        unit: 'ms',
        note: `click → update p99 at ${best ? `${best.rate}/s, the highest sustained step` : `${first.rate}/s (none sustained)`}`,
      },
      {
        name: 'capacity.cpu_ms_per_click',
        value: per(appCpu),
        unit: 'ms',
        note: `server + worker + PostgreSQL backends + Redis, ${at}, ${first.windowClicks} clicks in the window`,
      },
      ...(['server', 'worker', 'postgres', 'redis', 'emulator'] as const).map((k) => ({
        name: `capacity.cpu_ms_per_click_${k}`,
        value: per(first.cpuMs[k] ?? Number.NaN),
        unit: 'ms',
        note: k === 'emulator' ? `Bitrix24's stand-in, not counted in the total, ${at}` : at,
      })),
      {
        name: 'capacity.redis_commands_per_click',
        value: per(first.redisCommands),
        unit: 'commands',
        note: `INFO commandstats delta (commands inside scripts counted), incl. relay and sweeper polling, ${at}`,
      },
      {
        name: 'capacity.pg_transactions_per_click',
        value: per(first.pgTransactions),
        unit: 'transactions',
        note: `pg_stat_database xact_commit + xact_rollback delta, incl. relay and sweeper polling, ${at}`,
      },
      {
        name: 'capacity.machine_busy_pct',
        value: first.machineBusy * 100,
        unit: '%',
        note: `whole machine (both cores, every process incl. other users), ${at}`,
      },
    ];
  } finally {
    await stack.close();
  }
}

function describe(s: Step): string {
  const cpu = Object.entries(s.cpuMs)
    .map(([k, v]) => `${k} ${fmt(v / Math.max(1, s.windowClicks), 2)}`)
    .join(', ');
  return `sent ${fmt(s.sentPerSec, 0)}/s, p50 ${fmt(s.p50, 0)} ms, p99 ${fmt(s.p99, 0)} ms, max ${fmt(s.max, 0)} ms, ${
    s.sustained ? 'sustained' : 'BROKE'
  }; CPU ms/click ${cpu}; ${fmt(s.redisCommands / Math.max(1, s.windowClicks), 1)} Redis cmds, ${fmt(
    s.pgTransactions / Math.max(1, s.windowClicks),
    1,
  )} PG xacts per click; machine ${fmt(s.machineBusy * 100, 0)} % busy`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatTable(await run({ quick: process.argv.includes('--quick') })));
  process.exit(0);
}
