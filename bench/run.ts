// `npm run bench`: every benchmark, each with its baseline measured in the same run, printed as one table and
// written to bench/results/latest.json (shape: bench/results.ts). The machines are noisy: read the ratios.
//   npm run bench                    all suites, full scale (under 10 minutes on the 2-core dev machine)
//   npm run bench -- --quick         smaller memory / capacity / fairness runs (see bench/README.md)
//   npm run bench -- capacity limits only the suites whose name contains one of the words
// To add a suite: write bench/<name>.bench.ts exporting `run(opts): Promise<Metric[]>` with metrics named
// `<name>.<figure>`, and add one line to `suites` below.
import { fileURLToPath } from 'node:url';
import { run as appPage } from './app-page.bench.js';
import { progress } from './bench-stats.js';
import { run as capacity } from './capacity.bench.js';
import { run as clickLatency } from './click-latency.bench.js';
import { run as creation } from './creation.bench.js';
import { run as emulator } from './emulator.bench.js';
import { run as fairness } from './fairness.bench.js';
import { run as intake } from './intake.bench.js';
import { run as layout } from './layout.bench.js';
import { run as limits } from './limits.bench.js';
import { run as memory } from './memory.bench.js';
import { formatTable, type Metric, missingMetrics, toResults, writeResults } from './results.js';

export interface SuiteOptions {
  quick: boolean;
}

const suites: { name: string; run: (o: SuiteOptions) => Promise<Metric[]> }[] = [
  { name: 'layout', run: layout },
  { name: 'emulator', run: emulator },
  { name: 'intake', run: intake },
  { name: 'click', run: clickLatency },
  { name: 'limits', run: limits },
  { name: 'creation', run: creation },
  { name: 'fairness', run: fairness },
  { name: 'capacity', run: capacity },
  { name: 'memory', run: memory },
  { name: 'app_page', run: appPage },
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));
const chosen = suites.filter((s) => only.length === 0 || only.some((w) => s.name.includes(w)));

const file = process.env.BENCH_RESULTS_FILE ?? fileURLToPath(new URL('./results/latest.json', import.meta.url));
const metrics: Metric[] = [];
const failed: string[] = [];
const started = performance.now();
for (const suite of chosen) {
  const t0 = performance.now();
  progress(`${suite.name}…`);
  try {
    const got = await suite.run({ quick });
    toResults(got); // a figure that is not a finite number fails its suite, not the whole run
    const stray = got.filter((m) => !m.name.startsWith(`${suite.name}.`));
    if (stray.length) throw new Error(`metrics outside the suite's name: ${stray.map((m) => m.name).join(', ')}`);
    metrics.push(...got);
    progress(`${suite.name}: ${got.length} figures in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    // Printed and written as each suite ends, so a run cut short still leaves what it measured.
    console.log(`${formatTable(got)}\n`);
    writeResults(file, metrics);
  } catch (err) {
    failed.push(suite.name);
    console.error(`suite ${suite.name} failed:`, err);
  }
}

console.log(`\n${formatTable(metrics)}\n`);
const results = writeResults(file, metrics);
console.log(`wrote ${file} (${metrics.length} figures) in ${((performance.now() - started) / 1000).toFixed(0)} s`);
const missing = only.length === 0 ? missingMetrics(results) : [];
if (missing.length) console.error(`missing required figures: ${missing.join(', ')}`);
if (failed.length) console.error(`failed suites: ${failed.join(', ')}`);
process.exit(failed.length || missing.length ? 1 : 0);
