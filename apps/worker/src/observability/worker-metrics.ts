import { boundedLabel, createPortalCallMetrics, type PortalCallMetrics } from '@b24app/core';
import { type Db, rawPool } from '@b24app/db';
import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { KeepAliveMetrics } from '../keepalive/token-keepalive.js';
import { type ClickMetrics, createClickMetrics } from '../timeline/click-metrics.js';

/**
 * The worker's metric families, defined in this one place. Gauges of shared state (queues, locked
 * cards) are read at scrape time and are the same from every replica: aggregate them with max().
 */
export interface WorkerMetrics {
  /** One run of a job ended: `completed`, `delayed` (parked for its portal's bucket) or `failed`. */
  job(kind: string, outcome: 'completed' | 'delayed' | 'failed', seconds: number): void;
  clicks: ClickMetrics;
  portal: PortalCallMetrics;
  deliveries: DeliveryMetrics;
  keepAlive: KeepAliveMetrics;
}

/** The decision outbox: how each attempt ended, per kind; and each callback POST by its result. */
export interface DeliveryMetrics {
  /** `outcome`: the row's end (`sent`, `gave_up`, `refused`…), or `retry` / `rate_limited` / `failed`. */
  delivery(kind: string, outcome: string): void;
  /** `result`: `delivered`, or the sender's error code (`timeout`, `http_503`, `refused_address`…). */
  callbackAttempt(result: string): void;
}

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

export function createWorkerMetrics(
  registry: Registry,
  deps: {
    db: Db;
    queues: readonly Queue[];
    headroom?: (memberIds: readonly string[]) => Promise<Map<string, number>>;
  },
): WorkerMetrics {
  const jobs = new Histogram({
    name: 'b24app_job_duration_seconds',
    help: 'One run of a job, by kind (job name) and outcome (completed, delayed, failed)',
    labelNames: ['kind', 'outcome'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  new Gauge({
    name: 'b24app_queue_jobs',
    help: 'Jobs in each queue, by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const q of deps.queues) {
        const counts = await q.getJobCounts(...QUEUE_STATES).catch(() => null);
        if (!counts) continue;
        for (const state of QUEUE_STATES) this.set({ queue: q.name, state }, counts[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: 'b24app_queue_oldest_waiting_seconds',
    help: 'Age of the oldest job waiting for a worker, per queue (0 when none waits)',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      for (const q of deps.queues) {
        const [oldest] = await q.getJobs(['waiting', 'prioritized'], 0, 0, true).catch(() => []);
        this.set({ queue: q.name }, oldest ? Math.max(0, (Date.now() - oldest.timestamp) / 1000) : 0);
      }
    },
  });
  new Gauge({
    name: 'b24app_cards_locked',
    help: 'Clicks whose card still waits for its update: pending (not finished yet), failed_without_update (last 24 h)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const r = await rawPool(deps.db)
        .query<{ pending: string; failed: string }>(
          `SELECT count(*) FILTER (WHERE state IN ('RECEIVED', 'ENQUEUED', 'PROCESSING')) AS pending,
                  count(*) FILTER (WHERE state = 'FAILED' AND updated_activity_at IS NULL
                                     AND received_at > now() - interval '24 hours') AS failed
             FROM timeline_events
            WHERE state IN ('RECEIVED', 'ENQUEUED', 'PROCESSING', 'FAILED')`,
        )
        .catch(() => null);
      if (!r) return;
      this.set({ state: 'pending' }, Number(r.rows[0]?.pending ?? 0));
      this.set({ state: 'failed_without_update' }, Number(r.rows[0]?.failed ?? 0));
    },
  });
  const deliveries = new Counter({
    name: 'b24app_delivery_attempts_total',
    help: 'Decision delivery attempts, by kind (bizproc_event, callback) and how the attempt ended (sent, retry, gave_up…)',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  const callbacks = new Counter({
    name: 'b24app_callback_attempts_total',
    help: 'Decision callback POSTs, by result: delivered, or why not (timeout, network, http_<status>, refused_address…)',
    labelNames: ['result'],
    registers: [registry],
  });
  const keepAliveRefreshes = new Counter({
    name: 'b24app_token_keepalive_refreshes_total',
    help: 'Token keep-alive refreshes by outcome (refreshed, renewed_meanwhile, portal_gone, failed) and code',
    labelNames: ['outcome', 'code'],
    registers: [registry],
  });
  const keepAliveDue = new Gauge({
    name: 'b24app_token_keepalive_due_portals',
    help: 'Portals whose refresh token nears its expiry, as the last keep-alive scan found them',
    registers: [registry],
  });
  const code = boundedLabel(20);
  return {
    job: (kind, outcome, seconds) => jobs.observe({ kind, outcome }, seconds),
    deliveries: {
      delivery: (kind, outcome) => deliveries.inc({ kind, outcome }),
      // http_<status> stays bounded: statuses are three digits.
      callbackAttempt: (result) => callbacks.inc({ result }),
    },
    keepAlive: {
      refresh: (outcome, c) => keepAliveRefreshes.inc({ outcome, code: c ? code(c) : '' }),
      due: (count) => keepAliveDue.set(count),
    },
    clicks: createClickMetrics(registry),
    portal: createPortalCallMetrics(registry, deps.headroom ? { headroom: deps.headroom } : {}),
  };
}
