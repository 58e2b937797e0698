// Rate limits at overload: one portal, BENCH_LIMITS_CLICKS clicks (default 300) fired at once, far above
// its REST bucket (BENCH_LIMITS_BURST / BENCH_LIMITS_RATE, default 20 calls + 5 calls/s: Bitrix24's standard
// portal is 50 + 2/s; 5/s drains in about a minute while the worker's 32 slots still need more than the
// limiter's 5 s in-process wait, so the overload path, jobs parked and picked up again, is the one measured).
// The emulator enforces the bucket; the worker's limiter has the same figures (B24_RATE_LIMIT_BURST/_PER_SEC).
// - bucket use: REST calls the portal answered between our first and last call of the run, over what the
//   bucket allowed in that time (burst + rate × elapsed); 1.0 = every slot used.
// - QUERY_LIMIT_EXCEEDED: the portal's refusals, from the emulator's call log (the worker should cause none).
// - job runs per click: BullMQ's attemptsStarted summed over the run's click jobs (a job picked up only to be
//   delayed again counts each time), over the clicks.
// Approvals are created first with a roomy bucket on the emulator and the server; then the server restarts with
// the portal's bucket (its intake admits each click to it, as in production where both share one config).
// Run alone: node --conditions=development --import tsx bench/limits.bench.ts
import { pathToFileURL } from 'node:url';
import { timelineActionJob } from '@b24app/jobs';
import { Queue } from 'bullmq';
import { fmt, percentile, progress } from './bench-stats.js';
import { formatTable, type Metric } from './results.js';
import { lockDurations, type Limits, startBenchStack } from './support/process-stack.js';

export async function run(): Promise<Metric[]> {
  const nClicks = Number(process.env.BENCH_LIMITS_CLICKS ?? 300);
  const bucket: Limits = {
    burst: Number(process.env.BENCH_LIMITS_BURST ?? 20),
    drainPerSec: Number(process.env.BENCH_LIMITS_RATE ?? 5),
  };
  const tight = { B24_RATE_LIMIT_BURST: String(bucket.burst), B24_RATE_LIMIT_PER_SEC: String(bucket.drainPerSec) };
  const stack = await startBenchStack({ workerEnv: tight });
  try {
    const [portal] = await stack.installPortals(1);
    const clicks = await stack.createApprovals(Array.from({ length: nClicks }, () => portal!));
    await new Promise((r) => setTimeout(r, 1_000));
    await stack.emu.setLimits(portal!.memberId, bucket);
    // The intake admits each click to its portal's bucket: from now on the server knows the bucket too.
    await stack.restartServer(tight);
    const since = (await stack.emu.calls({ memberId: portal!.memberId })).at(-1)?.seq ?? 0;
    progress(`limits: ${nClicks} approvals on one portal; bucket now ${bucket.burst} / ${bucket.drainPerSec}/s`);

    const t0 = Date.now();
    const fired = await Promise.all(
      clicks.map((c, i) =>
        stack.emu.click(c.memberId, { activityId: c.activityId, actionId: i % 2 ? 'approve' : 'reject' }),
      ),
    );
    const lockIds = fired.map((f) => f.lockId ?? -1);
    const expectSec = nClicks / bucket.drainPerSec;
    const durations = await lockDurations(stack.emu, lockIds, Math.max(60_000, expectSec * 4_000));
    const drainSec = (Date.now() - t0) / 1000;

    const calls = (await stack.emu.calls({ memberId: portal!.memberId, since })).filter((c) => c.kind === 'rest');
    const answered = calls.filter((c) => c.error === null && c.status < 400);
    const refused = calls.filter((c) => c.error === 'QUERY_LIMIT_EXCEEDED').length;
    const first = answered[0]?.at ?? t0;
    const last = answered.at(-1)?.at ?? t0;
    const allowed = bucket.burst + (bucket.drainPerSec * (last - first)) / 1000;

    const queue = new Queue(timelineActionJob.queue, { connection: stack.redis, prefix: stack.env.QUEUE_PREFIX });
    const jobs = await queue.getJobs(['completed', 'failed', 'delayed', 'wait', 'active'], 0, -1);
    await queue.close();
    const runs = jobs.map((j) => j.attemptsStarted ?? 0).sort((a, b) => a - b);
    const totalRuns = runs.reduce((a, b) => a + b, 0);
    if (jobs.length < nClicks) throw new Error(`expected ${nClicks} click jobs, found ${jobs.length}`);

    const setup = `${nClicks} clicks at once on one portal, bucket ${bucket.burst} + ${bucket.drainPerSec}/s`;
    return [
      {
        name: 'limits.bucket_use_ratio',
        value: answered.length / allowed,
        unit: 'ratio',
        note: `${answered.length} calls answered in ${fmt((last - first) / 1000, 1)} s where the bucket allowed ${fmt(allowed, 0)}; ${setup}`,
      },
      {
        name: 'limits.query_limit_exceeded',
        value: refused,
        unit: 'errors',
        note: `QUERY_LIMIT_EXCEEDED in the emulator's call log, of ${calls.length} REST calls`,
      },
      {
        name: 'limits.job_runs_per_click',
        value: totalRuns / nClicks,
        unit: 'runs',
        note: `${totalRuns} BullMQ job runs (attemptsStarted) for ${nClicks} clicks; max ${runs.at(-1)} for one job`,
      },
      {
        name: 'limits.calls_per_click',
        value: calls.length / nClicks,
        unit: 'calls',
        note: 'REST calls to the portal per click (an ideal click path makes one update)',
      },
      {
        name: 'limits.drain_s',
        value: drainSec,
        unit: 's',
        baseline: (nClicks - bucket.burst) / bucket.drainPerSec,
        note: `first click to last card updated; baseline = (clicks - burst) / rate, the bucket's own floor; lock p50 ${fmt(percentile(durations, 50) / 1000, 1)} s`,
      },
    ];
  } finally {
    await stack.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatTable(await run()));
  process.exit(0);
}
