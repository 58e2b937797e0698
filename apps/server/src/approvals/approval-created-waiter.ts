import type { Logger } from '@b24app/core';
import type { RedisConnection } from '@b24app/jobs';

export interface ApprovalCreatedWaiter {
  /**
   * Reads the approval until `done` says so or `timeoutMs` has passed, and answers the last read. It re-reads when
   * the worker announces the approval (`approvalCreatedChannel`), and on its own at a backoff (`minPollMs` doubling
   * to `maxPollMs`) so a lost announcement (Redis away, a replica that subscribed late) costs at most that delay.
   */
  waitFor<T>(id: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T>;
  /** Answers every wait now (shutdown) and drops the subscription. */
  close(): Promise<void>;
}

/**
 * The server's waits for the creation job: a create request waiting for its activity, a `?wait=` read. One
 * subscription per server, whatever the number of waits; each wait re-reads only its own row, and only when told
 * to or rarely, so 200 waiting requests are not 200 pollers of PostgreSQL.
 */
export function createApprovalCreatedWaiter(deps: {
  /** A connection of its own for SUBSCRIBE (it cannot run other commands while subscribed). */
  subscriber: RedisConnection;
  channel: string;
  logger: Logger;
  minPollMs?: number;
  maxPollMs?: number;
}): ApprovalCreatedWaiter {
  const minPollMs = deps.minPollMs ?? 250;
  const maxPollMs = deps.maxPollMs ?? 2_000;
  const listeners = new Map<string, Set<() => void>>();
  let closed = false;

  const { subscriber, channel } = deps;
  subscriber.on('message', (ch: string, id: string) => {
    if (ch !== channel) return;
    for (const wake of listeners.get(id) ?? []) wake();
  });
  const subscribe = () =>
    subscriber.subscribe(channel).catch((err: Error) => {
      deps.logger.warn({ err: { message: err.message } }, 'approval created: subscribe failed (waits poll)');
    });
  subscriber.on('ready', subscribe);
  subscriber.on('error', () => {}); // reconnects on its own; waits poll meanwhile
  if (subscriber.status === 'ready') void subscribe();

  function listen(id: string) {
    const signal = { fired: false, wake: null as (() => void) | null };
    const fire = () => {
      signal.fired = true;
      signal.wake?.();
    };
    const set = listeners.get(id) ?? new Set<() => void>();
    listeners.set(id, set);
    set.add(fire);
    const stop = () => {
      set.delete(fire);
      if (set.size === 0) listeners.delete(id);
    };
    /** Until the announcement or `ms`; at once if it came since the last call. */
    const next = (ms: number) =>
      new Promise<void>((resolve) => {
        if (signal.fired || closed) return resolve();
        const timer = setTimeout(() => {
          signal.wake = null;
          resolve();
        }, ms);
        signal.wake = () => {
          clearTimeout(timer);
          signal.wake = null;
          resolve();
        };
      });
    return { signal, next, stop };
  }

  return {
    async waitFor(id, read, done, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      // Listening before the first read: an announcement between the read and the wait is not missed.
      const l = listen(id);
      try {
        let pollMs = minPollMs;
        for (;;) {
          l.signal.fired = false;
          const value = await read();
          const left = deadline - Date.now();
          if (done(value) || left <= 0 || closed) return value;
          await l.next(Math.min(pollMs, left));
          pollMs = Math.min(pollMs * 2, maxPollMs);
        }
      } finally {
        l.stop();
      }
    },
    async close() {
      closed = true;
      for (const set of listeners.values()) for (const wake of set) wake();
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
