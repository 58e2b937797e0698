import { createPortalCallMetrics, type PortalCallMetrics } from '@b24app/core';
import { Counter, Histogram, type Registry } from 'prom-client';

/** The server's metric families, defined in this one place; routes and services get the hooks. */
export interface ServerMetrics {
  /** One POST /b24/events answered. */
  event(type: string, outcome: EventOutcome, seconds: number): void;
  portal: PortalCallMetrics;
}

export type EventOutcome = 'accepted' | 'duplicate' | 'forged' | 'malformed' | 'rate_limited' | 'error';

const EVENT_TYPES = new Set(['ONAPPINSTALL', 'ONAPPUPDATE', 'ONAPPUNINSTALL', 'ONCRMTIMELINEITEMACTION']);

/** What an answer's status says about the event (the error handler maps codes to statuses once). */
export function eventOutcomeOf(status: number, duplicate: boolean): EventOutcome {
  if (status < 300) return duplicate ? 'duplicate' : 'accepted';
  if (status === 401) return 'forged';
  if (status === 429) return 'rate_limited';
  if (status >= 400 && status < 500) return 'malformed';
  return 'error';
}

export function createServerMetrics(
  registry: Registry,
  opts: { headroom?: (memberIds: readonly string[]) => Promise<Map<string, number>> } = {},
): ServerMetrics {
  const events = new Counter({
    name: 'b24app_events_total',
    help: 'Bitrix24 events received on /b24/events, by type and outcome (accepted, duplicate, forged, malformed, rate_limited, error)',
    labelNames: ['type', 'outcome'],
    registers: [registry],
  });
  const intake = new Histogram({
    name: 'b24app_intake_duration_seconds',
    help: 'POST /b24/events from request to answer (verify, durable insert, enqueue)',
    labelNames: ['type'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    event(type, outcome, seconds) {
      const t = EVENT_TYPES.has(type) ? type : 'other';
      events.inc({ type: t, outcome });
      intake.observe({ type: t }, seconds);
    },
    portal: createPortalCallMetrics(registry, opts),
  };
}
