import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Metric families both apps export, and the helpers that keep label sets bounded. Every label value
 * comes from a fixed list or a `boundedLabel`: a portal (or an attacker) never creates series at will.
 */

/** Remembers up to `max` distinct values; any further one is reported as `other`. */
export function boundedLabel(max: number): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    const v = /^[A-Za-z0-9_.:-]{1,64}$/.test(value) ? value : 'other';
    if (seen.has(v)) return v;
    if (seen.size >= max) return 'other';
    seen.add(v);
    return v;
  };
}

/** The shape of `@b24app/bitrix24`'s PortalCallObserver (structural: core does not depend on it). */
export interface PortalCallMetrics {
  request(memberId: string, method: string, outcome: string): void;
  refresh(memberId: string, outcome: 'oauth' | 'adopted' | 'failed', code?: string): void;
}

/**
 * REST requests by method and outcome, refreshes by outcome, and the bucket headroom of the
 * `topN` portals with the least of it among those seen recently (a bounded gauge: not one series
 * per portal). `headroom` reads the shared limiter at scrape time.
 */
export function createPortalCallMetrics(
  registry: Registry,
  opts: {
    headroom?: (memberIds: readonly string[]) => Promise<Map<string, number>>;
    topN?: number;
    recent?: number;
  } = {},
): PortalCallMetrics {
  const topN = opts.topN ?? 10;
  const recentMax = opts.recent ?? 1_000;
  const methodLabel = boundedLabel(200);
  const outcomeLabel = boundedLabel(100);
  const requests = new Counter({
    name: 'b24app_rest_requests_total',
    help: 'HTTP requests to portals, by REST method and outcome (ok, a Bitrix24 error code such as QUERY_LIMIT_EXCEEDED or expired_token, RATE_LIMITED when our limiter refused it)',
    labelNames: ['method', 'outcome'],
    registers: [registry],
  });
  const refreshes = new Counter({
    name: 'b24app_token_refreshes_total',
    help: 'Token refreshes: oauth (rotated with the OAuth server), adopted (another process had), failed (with code)',
    labelNames: ['outcome', 'code'],
    registers: [registry],
  });
  // Most recently active portals, in LRU order, whose bucket the headroom gauge looks at.
  const recent = new Map<string, true>();
  new Gauge({
    name: 'b24app_portal_bucket_headroom',
    help: `Free request slots of the shared bucket, for the ${topN} recently active portals with the fewest`,
    labelNames: ['member_id'],
    registers: [registry],
    async collect() {
      this.reset();
      if (!opts.headroom || recent.size === 0) return;
      const free = await opts.headroom([...recent.keys()]).catch(() => new Map<string, number>());
      const lowest = [...free.entries()].sort((a, b) => a[1] - b[1]).slice(0, topN);
      for (const [memberId, slots] of lowest) this.set({ member_id: memberId }, slots);
    },
  });
  return {
    request(memberId, method, outcome) {
      requests.inc({ method: methodLabel(method), outcome: outcomeLabel(outcome) });
      recent.delete(memberId);
      if (recent.size >= recentMax) recent.delete(recent.keys().next().value!);
      recent.set(memberId, true);
    },
    refresh(_memberId, outcome, code) {
      refreshes.inc({ outcome, code: code ? outcomeLabel(code) : '' });
    },
  };
}
