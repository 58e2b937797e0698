import { setTimeout as sleep } from 'node:timers/promises';
import type { EmulatorContext } from '../emulator-context.js';
import type { FailureRule } from '../state/model.js';
import { RestError } from './rest-error.js';

// Test hook: calls of a method fail (or answer late) the way a flaky portal, proxy or OAuth server would,
// for the next N calls or until the rule is cleared.

export function addFailure(ctx: EmulatorContext, rule: Omit<FailureRule, 'id'>): FailureRule {
  const full = { ...rule, id: ++ctx.state.seq.failure };
  ctx.state.failures.push(full);
  return full;
}

/** Drops one rule (by id) or every rule; answers how many went. */
export function clearFailures(ctx: EmulatorContext, id?: number): number {
  const before = ctx.state.failures.length;
  ctx.state.failures = id === undefined ? [] : ctx.state.failures.filter((r) => r.id !== id);
  return before - ctx.state.failures.length;
}

/** Consumes one matching rule for this call and phase, if any (the oldest first). */
export function takeFailure(
  ctx: EmulatorContext,
  memberId: string | null,
  method: string,
  phase: FailureRule['phase'],
  params?: Record<string, unknown>,
): FailureRule | null {
  const rule = ctx.state.failures.find(
    (r) =>
      (r.remaining === null || r.remaining > 0) &&
      r.phase === phase &&
      (r.method === method || r.method === '*') &&
      (r.memberId === null || r.memberId === memberId) &&
      (r.whenParam === null || hasPath(params, r.whenParam)),
  );
  if (!rule) return null;
  if (rule.remaining !== null) rule.remaining--;
  ctx.state.failures = ctx.state.failures.filter((r) => r.remaining === null || r.remaining > 0);
  return rule;
}

function hasPath(params: Record<string, unknown> | undefined, path: string): boolean {
  let at: unknown = params;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return false;
    at = (at as Record<string, unknown>)[key];
  }
  return at !== undefined;
}

/** What the listener does with a request an injected rule caught. */
export type InjectedAnswer =
  | { type: 'error'; error: RestError }
  /** never answer: the socket closes when the client gives up or the emulator stops */
  | { type: 'hang' }
  /** drop the connection */
  | { type: 'drop' }
  /** a delay rule: answer normally, only later */
  | { type: 'proceed' };

/** Waits the rule's delay, then says how the request ends. */
export async function applyFailure(rule: FailureRule): Promise<InjectedAnswer> {
  if (rule.delayMs > 0) await sleep(rule.delayMs);
  switch (rule.kind) {
    case '503':
      return { type: 'error', error: new RestError('QUERY_LIMIT_EXCEEDED', 'Too many requests', 503) };
    case '500':
      return { type: 'error', error: new RestError('INTERNAL_SERVER_ERROR', 'Internal server error', 500) };
    case 'error': {
      const e = rule.error ?? { code: 'INTERNAL_SERVER_ERROR', description: 'Internal server error', status: 500 };
      return { type: 'error', error: new RestError(e.code, e.description, e.status) };
    }
    case 'timeout':
      return { type: 'hang' };
    case 'network':
      return { type: 'drop' };
    case 'delay':
      return { type: 'proceed' };
  }
}
