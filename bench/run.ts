// `npm run bench`: every benchmark, each with a baseline measured in the same run, printed as one table.
// The machines are noisy: read the ratios, not the absolute numbers.
import { run as appPage } from './app-page.bench.js';
import { type BenchLine, formatLine } from './bench-stats.js';
import { run as clickLatency } from './click-latency.bench.js';
import { run as emulator } from './emulator.bench.js';
import { run as intake } from './intake.bench.js';
import { run as layout } from './layout.bench.js';

const suites: [string, () => Promise<BenchLine[]>][] = [
  [
    'layout validation',
    async () =>
      (await layout()).map((r) => ({
        name: r.name,
        value: `${r.opsPerSec.toLocaleString('en')} ops/s`,
        ...(r.note ? { note: r.note } : {}),
      })),
  ],
  ['emulator', emulator],
  ['event intake', intake],
  ['click → update', clickLatency],
  ['app page', appPage],
];

const only = process.argv[2];
for (const [title, suite] of suites) {
  if (only && !title.includes(only)) continue;
  console.log(`\n## ${title}`);
  const started = performance.now();
  for (const l of await suite()) console.log(`- ${formatLine(l)}`);
  console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
process.exit(0);
