// Creation under a burst: BENCH_CREATION_N creates (default 200) sent at once to one portal through the
// integrations API, whose bucket is small (BENCH_CREATION_BURST / BENCH_CREATION_RATE, default 20 + 10/s; our
// limiter has the same figures). Every create is answered 201 or 202 and the creation job adds the activities.
// - throughput_ratio: activities added per second after the burst, (N - burst) / (last add - first add), over the
//   bucket's rate measured in the same run: a second portal with the same bucket, hammered directly through a
//   webhook (no limiter of ours) for BENCH_CREATION_PROBE_S seconds, (answered - burst) / elapsed.
// - drain_ratio: first create sent to last activity added, over the bucket's floor (N - burst) / rate.
// - query_limit_exceeded: the portal's refusals of our calls during the burst (the job should cause none).
// Run alone: node --conditions=development --import tsx bench/creation.bench.ts
import { pathToFileURL } from 'node:url';
import { fmt, progress } from './bench-stats.js';
import { formatTable, type Metric } from './results.js';
import { type Limits, startBenchStack, until } from './support/process-stack.js';

const API_TOKEN = 'bench-api-token-0123456789';

/** The portal's own admission rate: answered calls per second beyond the burst, hammered with no pacing. */
async function measuredBucketRate(webhookUrl: string, bucket: Limits, seconds: number): Promise<number> {
  const t0 = performance.now();
  let answered = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() - t0 < seconds * 1000) {
        const res = await fetch(`${webhookUrl}user.current`, { method: 'POST' });
        await res.arrayBuffer();
        if (res.ok) answered++;
        else await new Promise((r) => setTimeout(r, 5));
      }
    }),
  );
  return (answered - bucket.burst) / ((performance.now() - t0) / 1000);
}

export async function run(): Promise<Metric[]> {
  const n = Number(process.env.BENCH_CREATION_N ?? 200);
  const bucket: Limits = {
    burst: Number(process.env.BENCH_CREATION_BURST ?? 20),
    drainPerSec: Number(process.env.BENCH_CREATION_RATE ?? 10),
  };
  const probeSec = Number(process.env.BENCH_CREATION_PROBE_S ?? 8);
  const rateEnv = { B24_RATE_LIMIT_BURST: String(bucket.burst), B24_RATE_LIMIT_PER_SEC: String(bucket.drainPerSec) };
  const stack = await startBenchStack({ env: { ...rateEnv, APPROVAL_CREATE_WAIT_MS: '2000' } });
  try {
    const [portal, probe] = await stack.installPortals(2, { limits: bucket });
    await new Promise((r) => setTimeout(r, (bucket.burst / bucket.drainPerSec) * 1000)); // the install's calls drain
    const since = (await stack.emu.calls({ memberId: portal!.memberId })).at(-1)?.seq ?? 0;
    progress(`creation: ${n} creates at once on one portal; bucket ${bucket.burst} + ${bucket.drainPerSec}/s`);

    const t0 = (await stack.emu.clock()).now;
    const statuses = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const res = await fetch(`${stack.serverUrl}/api/v1/approvals`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            memberId: portal!.memberId,
            ownerTypeId: 2,
            ownerId: portal!.dealId,
            title: `B ${i}`,
          }),
        });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    const refusedByUs = statuses.filter((s) => s !== 201 && s !== 202);
    if (refusedByUs.length) throw new Error(`creates answered other than 201/202: ${refusedByUs.join(', ')}`);
    await until(async () => {
      const { rows } = await stack.pg.query('SELECT count(*)::int AS n FROM approvals WHERE activity_id IS NOT NULL');
      return rows[0].n >= n;
    }, 300_000);

    const calls = (await stack.emu.calls({ memberId: portal!.memberId, since })).filter((c) => c.kind === 'rest');
    const adds = calls.filter((c) => c.method === 'crm.activity.configurable.add' && c.error === null);
    const refused = calls.filter((c) => c.error === 'QUERY_LIMIT_EXCEEDED').length;
    const first = adds[0]?.at ?? t0;
    const last = adds.at(-1)?.at ?? t0;
    const throughput = (adds.length - bucket.burst) / ((last - first) / 1000);
    const drainSec = (last - t0) / 1000;
    const floorSec = (n - bucket.burst) / bucket.drainPerSec;

    const hook = await stack.emu.createWebhook(probe!.memberId);
    const bucketRate = await measuredBucketRate(hook.url, bucket, probeSec);
    const accepted = statuses.filter((s) => s === 202).length;
    return [
      {
        name: 'creation.throughput_ratio',
        value: throughput / bucketRate,
        unit: 'ratio',
        note: `${fmt(throughput, 2)} adds/s after the burst vs the bucket's measured ${fmt(bucketRate, 2)}/s (configured ${bucket.drainPerSec}/s); ${adds.length} adds for ${n} creates`,
      },
      {
        name: 'creation.drain_ratio',
        value: drainSec / floorSec,
        unit: 'ratio',
        note: `${fmt(drainSec, 1)} s from the burst to the last activity vs the floor (N - burst) / rate = ${fmt(floorSec, 1)} s`,
      },
      {
        name: 'creation.query_limit_exceeded',
        value: refused,
        unit: 'errors',
        note: `QUERY_LIMIT_EXCEEDED of ${calls.length} REST calls on the burst's portal`,
      },
      {
        name: 'creation.accepted_share',
        value: accepted / n,
        unit: 'ratio',
        note: `${n - accepted}×201, ${accepted}×202 (APPROVAL_CREATE_WAIT_MS 2000); none refused`,
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
