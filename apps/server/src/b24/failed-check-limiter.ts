/**
 * Bounds how many database-checked authentication failures one source may cause per window: a
 * flood of forged events with ever-new member ids costs at most `maxFailures` queries per window
 * per source and replica; beyond that the source is refused without a query. Sources are kept in
 * a bounded LRU map, so a flood of sources costs memory up to `maxSources` entries only.
 */
export interface FailedCheckLimiter {
  /** True while `source` has used up its failure budget for the current window. */
  blocked(source: string): boolean;
  /** Records one database-checked failure from `source`. */
  failed(source: string): void;
}

export function createFailedCheckLimiter(opts: {
  maxFailures: number;
  windowMs: number;
  maxSources?: number;
  now?: () => number;
}): FailedCheckLimiter {
  const maxSources = opts.maxSources ?? 10_000;
  const now = opts.now ?? Date.now;
  const windows = new Map<string, { start: number; failures: number }>();

  const current = (source: string) => {
    const w = windows.get(source);
    if (!w || now() - w.start >= opts.windowMs) return undefined;
    return w;
  };

  return {
    blocked: (source) => (current(source)?.failures ?? 0) >= opts.maxFailures,
    failed(source) {
      const w = current(source) ?? { start: now(), failures: 0 };
      w.failures += 1;
      windows.delete(source); // re-insert: the map's order is the LRU order
      if (windows.size >= maxSources) windows.delete(windows.keys().next().value!);
      windows.set(source, w);
    },
  };
}
