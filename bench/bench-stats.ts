/** Small helpers shared by the benchmarks: percentiles, a bounded-concurrency driver and the result lines. */

/** One line of a benchmark's result, as bench/run.ts prints it. */
export interface BenchLine {
  name: string;
  value: string;
  note?: string;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export interface Summary {
  count: number;
  perSec: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(latenciesMs: number[], wallMs: number): Summary {
  const s = [...latenciesMs].sort((a, b) => a - b);
  return {
    count: s.length,
    perSec: (s.length / wallMs) * 1000,
    p50: percentile(s, 50),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? Number.NaN,
  };
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` in flight; returns each latency in ms. */
export async function drive(n: number, concurrency: number, task: (i: number) => Promise<void>) {
  const latencies: number[] = new Array(n);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        const t0 = performance.now();
        await task(i);
        latencies[i] = performance.now() - t0;
      }
    }),
  );
  return { latencies, wallMs: performance.now() - started };
}

export const fmt = (n: number, digits = 1) => n.toLocaleString('en', { maximumFractionDigits: digits });

/** A throughput line: req/s, with the p50 and p99 latencies as the note. */
export function rateLine(name: string, s: Summary): BenchLine {
  return { name, value: `${fmt(s.perSec, 0)} req/s`, note: `p50 ${fmt(s.p50, 2)} ms, p99 ${fmt(s.p99, 2)} ms` };
}

/** `name: value (note)` */
export const formatLine = (l: BenchLine) => `${l.name}: ${l.value}${l.note ? ` (${l.note})` : ''}`;
