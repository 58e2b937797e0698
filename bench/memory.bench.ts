// Memory in the number of portals: RSS of the server and of the worker (/proc/<pid>/status) when idle
// (booted, one portal installed and clicked, so the lazy first-use costs are paid), then after
// BENCH_MEMORY_PORTALS portals are installed through the emulator's control API (default 2,000) and
// BENCH_MEMORY_CLICKS clicks spread evenly over all of them (default 10,000), plus each one's peak, sampled
// every 250 ms. `--quick`: 500 portals, 2,000 clicks. "After" is read 2 s after the last card was updated,
// without forcing a GC: what an operator's container limit sees.
// Server and worker run what production runs: their current build (`npm run build`; the sources under tsx
// when there is none, said in the note) with the memory settings of infra/Dockerfile's runtime stage.
// Run alone: node --conditions=development --import tsx bench/memory.bench.ts [--quick]
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmt, progress } from './bench-stats.js';
import { formatTable, type Metric } from './results.js';
import { describeRuntime, dockerRuntimeEnv } from './support/production-runtime.js';
import {
  type BenchPortal,
  clickAllAtRate,
  clickAtRate,
  lockDurations,
  startBenchStack,
} from './support/process-stack.js';
import { rssMb, rssPeaks } from './support/proc-stats.js';

/** RSS in MB of an idle node process, with the given flags. */
function idleRss(flags: string[]): number {
  const script = fileURLToPath(new URL('./support/idle-process.mjs', import.meta.url));
  const out = execFileSync(process.execPath, [...flags, script], { encoding: 'utf8' });
  return Number(out.match(/rss (\d+)/)?.[1]) / 1024 / 1024;
}

export async function run(opts: { quick?: boolean } = {}): Promise<Metric[]> {
  const nPortals = Number(process.env.BENCH_MEMORY_PORTALS ?? (opts.quick ? 500 : 2_000));
  const nClicks = Number(process.env.BENCH_MEMORY_CLICKS ?? (opts.quick ? 2_000 : 10_000));
  const rate = Number(process.env.BENCH_MEMORY_CLICK_RATE ?? 100);
  const runtimeEnv = { server: dockerRuntimeEnv('server'), worker: dockerRuntimeEnv('worker') };
  const stack = await startBenchStack({
    preferBuilt: true,
    serverEnv: runtimeEnv.server,
    workerEnv: runtimeEnv.worker,
  });
  try {
    const pids = stack.pids();
    const runtimes = stack.runtimes();
    const ran = (app: 'server' | 'worker') => describeRuntime(runtimes[app], runtimeEnv[app]);
    const rss = () => ({ server: rssMb(pids.server) ?? Number.NaN, worker: rssMb(pids.worker) ?? Number.NaN });

    const [first] = await stack.installPortals(1);
    const firstClicks = await stack.createApprovals([first!]);
    await lockDurations(stack.emu, await clickAllAtRate(stack.emu, firstClicks, 10), 30_000);
    await new Promise((r) => setTimeout(r, 2_000));
    const idle = rss();
    progress(`memory: idle server ${fmt(idle.server, 0)} MB, worker ${fmt(idle.worker, 0)} MB`);

    const peaks = rssPeaks({ server: pids.server, worker: pids.worker });
    const portals = await stack.installPortals(nPortals - 1, { concurrency: 16 });
    portals.push(first!);
    const installed = rss();
    progress(`memory: ${nPortals} portals installed: server ${fmt(installed.server, 0)} MB`);

    // In chunks, so approvals of one chunk are created while nothing else runs and the clicks stay steady.
    const chunk = 2_000;
    let undelivered = 0;
    for (let done = 0; done < nClicks; done += chunk) {
      const n = Math.min(chunk, nClicks - done);
      const targets: BenchPortal[] = Array.from({ length: n }, (_, i) => portals[(done + i) % portals.length]!);
      const clicks = await stack.createApprovals(targets, 16);
      // Memory, not latency, is measured here: a click the overloaded emulator could not take is counted, not fatal.
      const sent = await clickAtRate(stack.emu, clicks, rate);
      undelivered += sent.failed;
      await lockDurations(stack.emu, sent.lockIds, 120_000);
      progress(`memory: ${done + n} clicks done; worker ${fmt(rss().worker, 0)} MB`);
    }
    await new Promise((r) => setTimeout(r, 2_000));
    const after = rss();
    const peak = peaks.stop();
    const scale = `after ${nPortals.toLocaleString('en')} portals installed and ${(nClicks - undelivered).toLocaleString('en')} clicks (${undelivered} not taken by the emulator)`;
    return [
      {
        name: 'memory.server_rss_mb',
        value: after.server,
        unit: 'MB',
        baseline: idle.server,
        note: `${scale}; baseline = idle; ${fmt(installed.server, 0)} MB right after the installs; ${ran('server')}`,
      },
      { name: 'memory.server_peak_rss_mb', value: peak.server!, unit: 'MB', note: 'highest sample (250 ms)' },
      {
        name: 'memory.worker_rss_mb',
        value: after.worker,
        unit: 'MB',
        baseline: idle.worker,
        note: `${scale}; baseline = idle; ${ran('worker')}`,
      },
      { name: 'memory.worker_peak_rss_mb', value: peak.worker!, unit: 'MB', note: 'highest sample (250 ms)' },
      {
        name: 'memory.tsx_loader_mb',
        value: idleRss(['--import', 'tsx']),
        unit: 'MB',
        baseline: idleRss([]),
        note: `an idle node with the TypeScript loader / without: part of the RSS above only when it ran the sources (${runtimes.server.kind === 'dist' ? 'it did not' : 'it did'})`,
      },
      {
        name: 'memory.server_kb_per_portal',
        value: ((after.server - idle.server) * 1024) / nPortals,
        unit: 'KB',
        note: 'RSS growth over idle / portals (includes allocator slack)',
      },
      {
        name: 'memory.worker_kb_per_portal',
        value: ((after.worker - idle.worker) * 1024) / nPortals,
        unit: 'KB',
        note: 'RSS growth over idle / portals (includes allocator slack)',
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
