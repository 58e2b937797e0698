/** Small helpers shared by the benchmarks: percentiles, a bounded-concurrency driver, progress lines. */

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

const benchStart = performance.now();
/** A progress line while a long benchmark runs (seconds since the run began). */
export const progress = (msg: string) =>
  console.log(`  [${((performance.now() - benchStart) / 1000).toFixed(0)} s] ${msg}`);
