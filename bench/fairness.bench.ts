// Fairness between portals: 20 quiet portals each clicking every 500 ms (40 clicks/s in all), first alone for
// BENCH_FAIRNESS_ALONE_S seconds, then for BENCH_FAIRNESS_FLOOD_S seconds while one noisy portal fires 1,000
// clicks at once, far above its bucket. Every portal has the same REST bucket (BENCH_FAIRNESS_BURST /
// BENCH_FAIRNESS_RATE, default 50 calls + 10/s), enforced by the emulator and configured on the worker's
// limiter; a quiet portal needs about 2 calls/s of it.
// - quiet p99 ratio: the quiet portals' click → update p99 during the flood over their p99 alone (goal ≤ 1.5).
// - flood drain ratio: REST calls the noisy portal got answered during the flood window over what its bucket
//   allowed in that window (burst + rate × window; goal ≥ 0.97). The rest of its backlog is not waited for.
// Run alone: node --conditions=development --import tsx bench/fairness.bench.ts [--quick]
import { pathToFileURL } from 'node:url';
import { fmt, percentile, progress } from './bench-stats.js';
import { formatTable, type Metric } from './results.js';
import {
  type BenchPortal,
  type Click,
  clickAtRate,
  inParallel,
  type Limits,
  lockDurations,
  startBenchStack,
  waitForLocks,
} from './support/process-stack.js';

const QUIET = 20;
const QUIET_EVERY_MS = 500;
const FLOOD = 1_000;
const UNFINISHED_AFTER_MS = 30_000;

export async function run(opts: { quick?: boolean } = {}): Promise<Metric[]> {
  const aloneSec = Number(process.env.BENCH_FAIRNESS_ALONE_S ?? (opts.quick ? 6 : 10));
  const floodSec = Number(process.env.BENCH_FAIRNESS_FLOOD_S ?? (opts.quick ? 10 : 20));
  const bucket: Limits = {
    burst: Number(process.env.BENCH_FAIRNESS_BURST ?? 50),
    drainPerSec: Number(process.env.BENCH_FAIRNESS_RATE ?? 10),
  };
  const tight = { B24_RATE_LIMIT_BURST: String(bucket.burst), B24_RATE_LIMIT_PER_SEC: String(bucket.drainPerSec) };
  const stack = await startBenchStack({ workerEnv: tight });
  try {
    const portals = await stack.installPortals(QUIET + 1, { concurrency: 8 });
    const noisy = portals.pop()!;
    const quietRate = (QUIET * 1000) / QUIET_EVERY_MS;
    const quietTargets = (n: number): BenchPortal[] => Array.from({ length: n }, (_, i) => portals[i % QUIET]!);
    const alone = await stack.createApprovals(quietTargets(Math.round(quietRate * aloneSec)));
    const during = await stack.createApprovals(quietTargets(Math.round(quietRate * floodSec)));
    const flood = await stack.createApprovals(Array.from({ length: FLOOD }, () => noisy));
    await new Promise((r) => setTimeout(r, 1_000));
    for (const p of [...portals, noisy]) await stack.emu.setLimits(p.memberId, bucket);
    // The approvals exist: the server's intake now admits clicks to the same buckets as the worker.
    await stack.restartServer(tight);
    const since = (await stack.emu.calls()).at(-1)?.seq ?? 0;
    progress(`fairness: approvals created; every bucket now ${bucket.burst} + ${bucket.drainPerSec}/s`);

    const quiet = (clicks: Click[]) => clickAtRate(stack.emu, clicks, quietRate);
    const aloneClicks = await quiet(alone);
    const aloneMs = await lockDurations(stack.emu, aloneClicks.lockIds, 60_000);
    progress(
      `fairness: quiet alone p50 ${fmt(percentile(aloneMs, 50), 0)} ms, p99 ${fmt(percentile(aloneMs, 99), 0)} ms`,
    );

    const floodStart = Date.now();
    // 1,000 clicks "at once": as fast as the emulator takes them, a few dozen in flight.
    const fired = inParallel(FLOOD, 50, async (i) => {
      const c = flood[i]!;
      await stack.emu.click(c.memberId, { activityId: c.activityId, actionId: i % 2 ? 'approve' : 'reject' });
    });
    // A click the emulator itself could not take (it too is flooded, on the same cores) is counted, not fatal.
    const duringClicks = await quiet(during);
    const floodEnd = floodStart + floodSec * 1000;
    await fired;
    // Bounded: behind a flood a quiet card may stay locked until the noisy backlog drains (minutes).
    const { durations: duringMs, unfinished } = await waitForLocks(
      stack.emu,
      duringClicks.lockIds,
      UNFINISHED_AFTER_MS,
    );
    progress(
      `fairness: quiet during flood p50 ${fmt(percentile(duringMs, 50), 0)} ms, p99 ${fmt(percentile(duringMs, 99), 0)} ms`,
    );

    const calls = (await stack.emu.calls({ since })).filter((c) => c.kind === 'rest');
    const refused = calls.filter((c) => c.error === 'QUERY_LIMIT_EXCEEDED').length;
    const noisyAnswered = calls.filter(
      (c) => c.memberId === noisy.memberId && c.error === null && c.at >= floodStart && c.at < floodEnd,
    ).length;
    const allowed = bucket.burst + bucket.drainPerSec * floodSec;
    const p99Alone = percentile(aloneMs, 99);
    const p99During = percentile(duringMs, 99);
    const p50Alone = percentile(aloneMs, 50);
    const p50During = percentile(duringMs, 50);
    const setup = `${QUIET} quiet portals every ${QUIET_EVERY_MS} ms, ${FLOOD} clicks on one more, buckets ${bucket.burst} + ${bucket.drainPerSec}/s`;
    return [
      {
        name: 'fairness.quiet_p99_ratio',
        value: p99During / p99Alone,
        unit: '×',
        note: `quiet click → update p99 during the flood / alone; ${setup}`,
      },
      {
        name: 'fairness.quiet_p99_ms',
        value: p99During,
        unit: 'ms',
        baseline: p99Alone,
        note: `during the flood (n=${duringMs.length}, max ${fmt(duringMs.at(-1) ?? Number.NaN, 0)} ms); baseline = alone (n=${aloneMs.length})`,
      },
      {
        name: 'fairness.quiet_undelivered',
        value: aloneClicks.failed + duringClicks.failed,
        unit: 'clicks',
        note: `quiet clicks the emulator did not take (connection refused or timed out; ${aloneClicks.failed} alone)`,
      },
      {
        name: 'fairness.quiet_unfinished',
        value: unfinished,
        unit: 'clicks',
        note: `quiet cards still locked ${UNFINISHED_AFTER_MS / 1000} s after the flood window (counted at their age then: the p99 is a lower bound)`,
      },
      { name: 'fairness.quiet_p50_ms', value: p50During, unit: 'ms', baseline: p50Alone, note: 'during / alone' },
      {
        name: 'fairness.flood_drain_ratio',
        value: noisyAnswered / allowed,
        unit: 'ratio',
        note: `${noisyAnswered} noisy calls answered in the ${floodSec} s window where its bucket allowed ${allowed}`,
      },
      {
        name: 'fairness.query_limit_exceeded',
        value: refused,
        unit: 'errors',
        note: `QUERY_LIMIT_EXCEEDED over all ${calls.length} REST calls of the run`,
      },
    ];
  } finally {
    await stack.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatTable(await run({ quick: process.argv.includes('--quick') })));
  process.exit(0);
}
