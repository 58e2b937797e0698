import { type EmulatorContext, track } from '../emulator-context.js';
import { encodePhpForm, parsePhpForm } from '../http/php-form.js';
import type { DeliveryLogEntry, EventBinding } from '../state/model.js';
import { buildEventPayload } from './event-payload.js';

// The portal's event queue: one form-encoded POST per bound handler, sent after the triggering request,
// never retried unless the switch says so. Apps that are not installed (INSTALLED=N) get nothing.

export interface EventTrigger {
  memberId: string;
  event: string;
  data: Record<string, unknown>;
  actingUserId: number | null;
  /** ONCRMTIMELINEITEMACTION goes only to the app that created the activity */
  onlyClientId?: string;
  /** bindings to use instead of the portal's table (the uninstall event fires before its handlers go) */
  bindings?: EventBinding[];
  /** deliver even though the app is not (or no longer) installed: ONAPPUNINSTALL */
  ignoreInstalled?: boolean;
}

interface PreparedDelivery {
  binding: EventBinding;
  body: string;
}

export function targetBindings(ctx: EmulatorContext, t: EventTrigger): EventBinding[] {
  const source = t.bindings ?? ctx.state.bindings;
  return source.filter((b) => {
    if (b.memberId !== t.memberId || b.event !== t.event || b.offline) return false;
    if (t.onlyClientId !== undefined && b.clientId !== t.onlyClientId) return false;
    const inst = ctx.state.installation(b.memberId, b.clientId);
    return t.ignoreInstalled ? true : inst?.installed === true;
  });
}

/** Payloads are built now (tokens issued, bindings read); the POSTs go out asynchronously. */
function prepare(ctx: EmulatorContext, t: EventTrigger): PreparedDelivery[] {
  const portal = ctx.state.portals.get(t.memberId);
  if (!portal) return [];
  const out: PreparedDelivery[] = [];
  for (const binding of targetBindings(ctx, t)) {
    const app = ctx.state.apps.get(binding.clientId);
    const installation = ctx.state.installation(binding.memberId, binding.clientId);
    if (!app || !installation) continue;
    const payload = buildEventPayload(ctx, {
      portal,
      app,
      installation,
      binding,
      event: t.event,
      data: t.data,
      actingUserId: t.actingUserId,
    });
    out.push({ binding, body: encodePhpForm(payload) });
  }
  return out;
}

async function postOnce(ctx: EmulatorContext, d: PreparedDelivery, event: string, attempt: number) {
  const started = ctx.now();
  let status = 0;
  let error: string | null = null;
  try {
    const res = await fetch(d.binding.handler, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Bitrix24 Webhook Engine' },
      body: d.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(ctx.settings.deliveryTimeoutMs),
    });
    status = res.status;
    await res.arrayBuffer().catch(() => undefined); // the body is ignored, as Bitrix24 does
    if (status < 200 || status >= 300) error = `HTTP_${status}`;
  } catch (e) {
    error = (e as Error).name === 'TimeoutError' ? 'TIMEOUT' : 'NETWORK_ERROR';
  }
  const entry = ctx.state.pushDelivery({
    at: started,
    memberId: d.binding.memberId,
    clientId: d.binding.clientId,
    event,
    handlerId: d.binding.id,
    url: d.binding.handler,
    body: d.body,
    fields: parsePhpForm(d.body) as Record<string, unknown>,
    attempt,
    status,
    error,
    durationMs: ctx.now() - started,
  });
  if (error) ctx.logger.warn(`[emulator] delivery of ${event} to ${d.binding.handler} failed: ${error}`);
  return entry;
}

async function deliver(ctx: EmulatorContext, d: PreparedDelivery, event: string): Promise<DeliveryLogEntry> {
  const attempts = 1 + (ctx.settings.retryFailedDeliveries ? ctx.settings.deliveryRetries : 0);
  let last = await postOnce(ctx, d, event, 1);
  for (let attempt = 2; attempt <= attempts && last.error; attempt++) {
    await new Promise((r) => setTimeout(r, ctx.settings.deliveryRetryDelayMs * 2 ** (attempt - 2)));
    last = await postOnce(ctx, d, event, attempt);
  }
  return last;
}

/**
 * Queues the event for every matching handler. Resolves, once all POSTs have finished, with the final
 * delivery of each handler (the caller may ignore it: the event stays asynchronous for the app).
 */
export function dispatchEvent(ctx: EmulatorContext, t: EventTrigger): Promise<DeliveryLogEntry[]> {
  const prepared = prepare(ctx, t);
  const run = async () => {
    await new Promise((r) => setImmediate(r)); // after the triggering request has answered
    return Promise.all(prepared.map((d) => deliver(ctx, d, t.event)));
  };
  return track(ctx, run());
}
