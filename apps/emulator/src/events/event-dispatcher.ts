import { type EmulatorContext, track } from '../emulator-context.js';
import { encodePhpForm, parsePhpForm } from '../http/php-form.js';
import type { DeliveryLogEntry, EventBinding, HeldDelivery } from '../state/model.js';
import { buildEventPayload } from './event-payload.js';
import { takeHold, unpark } from './event-holds.js';

// The portal's event queue: one form-encoded POST per bound handler, sent after the triggering request,
// never retried unless the switch says so. Apps that are not installed (INSTALLED=N) get nothing.
// A hold rule (test hook) parks a delivery instead; it goes out later on request with the payload it was built with.

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

/** where a POST goes: the binding as it was when the event fired (an uninstall drops it right after) */
export type DeliveryTarget = Pick<EventBinding, 'id' | 'memberId' | 'clientId' | 'handler'>;

export interface PreparedDelivery {
  binding: DeliveryTarget;
  payload: Record<string, unknown>;
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
    out.push({ binding, payload });
  }
  return out;
}

async function postOnce(ctx: EmulatorContext, d: PreparedDelivery, event: string, attempt: number) {
  const started = ctx.now();
  const body = encodePhpForm(d.payload);
  let status = 0;
  let error: string | null = null;
  try {
    const res = await fetch(d.binding.handler, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Bitrix24 Webhook Engine' },
      body,
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
    body,
    fields: parsePhpForm(body) as Record<string, unknown>,
    attempt,
    status,
    error,
    durationMs: ctx.now() - started,
  });
  if (error) ctx.logger.warn(`[emulator] delivery of ${event} to ${d.binding.handler} failed: ${error}`);
  return entry;
}

/** One POST (retried as the switch says), logged under `event`; robots' handler calls go out this way too. */
export async function deliver(ctx: EmulatorContext, d: PreparedDelivery, event: string): Promise<DeliveryLogEntry> {
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
  const prepared = prepare(ctx, t).filter((d) => !park(ctx, d, t.event));
  const run = async () => {
    await new Promise((r) => setImmediate(r)); // after the triggering request has answered
    return Promise.all(prepared.map((d) => deliver(ctx, d, t.event)));
  };
  return track(ctx, run());
}

/** true when a hold rule took this delivery: it is parked, not sent */
function park(ctx: EmulatorContext, d: PreparedDelivery, event: string): boolean {
  if (!takeHold(ctx, d.binding.memberId, event)) return false;
  ctx.state.held.push({
    id: ++ctx.state.seq.held,
    memberId: d.binding.memberId,
    clientId: d.binding.clientId,
    event,
    handlerId: d.binding.id,
    url: d.binding.handler,
    payload: d.payload,
    heldAt: ctx.now(),
  });
  return true;
}

/**
 * Sends a held delivery now (once; retries as the switch says), with the `ts` it was built with or the one given.
 * Null when no delivery with that id is held.
 */
export function deliverHeld(
  ctx: EmulatorContext,
  id: number,
  o: { ts?: number } = {},
): Promise<DeliveryLogEntry> | null {
  const held: HeldDelivery | null = unpark(ctx, id);
  if (!held) return null;
  const payload = o.ts === undefined ? held.payload : { ...held.payload, ts: String(o.ts) };
  const target = { id: held.handlerId, memberId: held.memberId, clientId: held.clientId, handler: held.url };
  return track(ctx, deliver(ctx, { binding: target, payload }, held.event));
}
