import type { Logger } from '@b24app/core';

/** What `event.get` returns for each handler (protocol §2.3). */
interface BoundHandler {
  event: string;
  handler?: string;
  auth_type?: string | number;
  offline?: number | string;
}

/** The part of the portal client this needs: one REST call. */
export interface RestCaller {
  call<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
}

export const APP_EVENTS = ['ONCRMTIMELINEITEMACTION', 'ONAPPUNINSTALL', 'ONAPPUPDATE'] as const;

/**
 * Makes the portal's handler list exactly ours: each app event bound once to `handlerUrl`, and
 * any other online handler of those events (an old APP_URL, a stale deploy) removed. Safe to run
 * concurrently and repeatedly: a duplicate bind is reported by Bitrix24 and counts as bound.
 */
export async function reconcileEventBindings(
  client: RestCaller,
  handlerUrl: string,
  logger: Logger,
  events: readonly string[] = APP_EVENTS,
): Promise<{ bound: string[]; unbound: string[] }> {
  const current = (await client.call<BoundHandler[]>('event.get')) ?? [];
  const wanted = new Set(events.map((e) => e.toUpperCase()));
  const bound: string[] = [];
  const unbound: string[] = [];

  for (const h of current) {
    const event = String(h.event).toUpperCase();
    if (!wanted.has(event) || Number(h.offline) === 1 || !h.handler || h.handler === handlerUrl) continue;
    await client.call('event.unbind', { event, handler: h.handler });
    unbound.push(event);
  }
  for (const event of wanted) {
    if (current.some((h) => String(h.event).toUpperCase() === event && h.handler === handlerUrl)) continue;
    try {
      await client.call('event.bind', { event, handler: handlerUrl });
      bound.push(event);
    } catch (e) {
      // Another process bound it between our event.get and this call.
      if (!/already bind|already exist/i.test(String((e as Error).message))) throw e;
    }
  }
  if (bound.length || unbound.length) logger.info({ bound, unbound }, 'event handlers reconciled');
  return { bound, unbound };
}
