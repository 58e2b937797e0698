import type { EmulatorContext } from '../emulator-context.js';
import type { HeldDelivery, HoldRule } from '../state/model.js';

// Test hook for late delivery: rules that hold an event's POSTs back instead of sending them (as Bitrix24's
// queue may deliver an event long after it fired). The dispatcher parks them; the control API releases them.

export function addHold(ctx: EmulatorContext, rule: Omit<HoldRule, 'id'>): HoldRule {
  const full = { ...rule, event: rule.event.toUpperCase(), id: ++ctx.state.seq.hold };
  ctx.state.holds.push(full);
  return full;
}

/** Drops one rule (by id) or every rule; deliveries already held stay held. */
export function clearHolds(ctx: EmulatorContext, id?: number): number {
  const before = ctx.state.holds.length;
  ctx.state.holds = id === undefined ? [] : ctx.state.holds.filter((r) => r.id !== id);
  return before - ctx.state.holds.length;
}

/** Consumes one matching rule for one delivery of this event, if any. */
export function takeHold(ctx: EmulatorContext, memberId: string, event: string): HoldRule | null {
  const rule = ctx.state.holds.find(
    (r) =>
      (r.remaining === null || r.remaining > 0) &&
      r.event === event &&
      (r.memberId === null || r.memberId === memberId),
  );
  if (!rule) return null;
  if (rule.remaining !== null) rule.remaining--;
  ctx.state.holds = ctx.state.holds.filter((r) => r.remaining === null || r.remaining > 0);
  return rule;
}

export function heldDeliveries(ctx: EmulatorContext, q: { memberId?: string; event?: string } = {}): HeldDelivery[] {
  return ctx.state.held.filter(
    (h) => (!q.memberId || h.memberId === q.memberId) && (!q.event || h.event === q.event.toUpperCase()),
  );
}

/** Takes a held delivery out of the parking lot (it is sent once, by the caller). */
export function unpark(ctx: EmulatorContext, id: number): HeldDelivery | null {
  const found = ctx.state.held.find((h) => h.id === id) ?? null;
  if (found) ctx.state.held = ctx.state.held.filter((h) => h.id !== id);
  return found;
}
