/**
 * The figures file of `npm run bench`: every benchmark reports named metrics (`suite.figure`), printed as one
 * table and written to bench/results/latest.json as `{ "<name>": { value, unit, baseline? } }`. A baseline is
 * always measured in the same run as its value; ratios carry none (their baseline is inside them).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

/** One figure of one benchmark. `note` is printed, not written to the JSON. */
export interface Metric {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  note?: string;
}

const metricName = z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, 'expected suite.figure in snake_case');

export const benchFigureSchema = z.strictObject({
  value: z.number().finite(),
  unit: z.string().min(1),
  baseline: z.number().finite().optional(),
});

export const benchResultsSchema = z.record(metricName, benchFigureSchema);
export type BenchResults = z.infer<typeof benchResultsSchema>;

/** The figures the performance and production issues ask for; `npm run bench` fails if one is missing. */
export const REQUIRED_METRICS = [
  'intake.throughput_ratio',
  'intake.p99_ratio',
  'click.p50_ms',
  'click.p99_ms',
  'capacity.clicks_per_s',
  'capacity.cpu_ms_per_click',
  'memory.server_rss_mb',
  'memory.worker_rss_mb',
  'limits.bucket_use_ratio',
  'limits.query_limit_exceeded',
  'limits.job_runs_per_click',
  'fairness.quiet_p99_ratio',
  'creation.throughput_ratio',
] as const;

/** The JSON object of a list of metrics; throws on a duplicate name or a value that is not a finite number. */
export function toResults(metrics: Metric[]): BenchResults {
  const out: Record<string, z.infer<typeof benchFigureSchema>> = {};
  for (const m of metrics) {
    if (m.name in out) throw new Error(`metric ${m.name} reported twice`);
    out[m.name] = { value: m.value, unit: m.unit, ...(m.baseline === undefined ? {} : { baseline: m.baseline }) };
  }
  return benchResultsSchema.parse(out);
}

export const missingMetrics = (results: BenchResults, required: readonly string[] = REQUIRED_METRICS): string[] =>
  required.filter((n) => !(n in results));

export function writeResults(file: string, metrics: Metric[]): BenchResults {
  const results = toResults(metrics);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return results;
}

const num = (n: number) => n.toLocaleString('en', { maximumFractionDigits: Math.abs(n) >= 100 ? 0 : 2 });

/** A Markdown table of the metrics, in their order. */
export function formatTable(metrics: Metric[]): string {
  const rows = metrics.map((m) => [
    m.name,
    `${num(m.value)} ${m.unit}`,
    m.baseline === undefined ? '' : `${num(m.baseline)} ${m.unit}`,
    (m.note ?? '').replaceAll('|', '/'),
  ]);
  return [
    '| figure | value | same-run baseline | note |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}
