/**
 * The wait budget of each call in flight, keyed by the request id the call hands the SDK (which puts it in
 * the request URL): the budget travels with the call to the limiter interceptor. Not AsyncLocalStorage: on
 * Node 20 that turns on promise hooks for the whole process, which cost the worker a seventh of its CPU
 * (bench/click-latency).
 */
import { randomUUID } from 'node:crypto';

export interface CallBudgets {
  /** Runs `fn` with a fresh request id that carries `maxWaitMs` for the first HTTP request sent with it. */
  with<T>(maxWaitMs: number, fn: (requestId: string) => Promise<T>): Promise<T>;
  /** The budget of the call this request belongs to; a replay of an already sent request gets none. */
  take(requestId: string | undefined): number | undefined;
}

export function createCallBudgets(): CallBudgets {
  const inFlight = new Map<string, { maxWaitMs: number; sent: boolean }>();
  return {
    async with(maxWaitMs, fn) {
      const requestId = randomUUID();
      inFlight.set(requestId, { maxWaitMs, sent: false });
      try {
        return await fn(requestId);
      } finally {
        inFlight.delete(requestId);
      }
    },
    take(requestId) {
      const entry = requestId === undefined ? undefined : inFlight.get(requestId);
      if (!entry || entry.sent) return undefined;
      entry.sent = true;
      return entry.maxWaitMs;
    },
  };
}
