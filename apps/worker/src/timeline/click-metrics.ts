import { Counter, Histogram, type Registry } from 'prom-client';

/** Prometheus view of the click path: how clicks end, and how long a card stays locked on our side. */
export interface ClickMetrics {
  finished(outcome: string, receivedAt: Date, updated: boolean): void;
}

export function createClickMetrics(registry: Registry): ClickMetrics {
  const outcomes = new Counter({
    name: 'b24app_clicks_finished_total',
    help: 'Timeline clicks finished, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'b24app_click_to_update_seconds',
    help: 'From a click reaching our server to crm.activity.configurable.update answering',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  return {
    finished(outcome, receivedAt, updated) {
      outcomes.inc({ outcome });
      if (updated) latency.observe((Date.now() - receivedAt.getTime()) / 1000);
    },
  };
}

export const noClickMetrics: ClickMetrics = { finished() {} };
