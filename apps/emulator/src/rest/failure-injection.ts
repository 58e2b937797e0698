import type { EmulatorContext } from '../emulator-context.js';
import type { FailureRule } from '../state/model.js';
import { RestError } from './rest-error.js';

// Test hook: the next N calls of a method fail the way a flaky portal or proxy would.

export function addFailure(ctx: EmulatorContext, rule: FailureRule): void {
  ctx.state.failures.push(rule);
}

/** Consumes one matching rule for this call and phase, if any. */
export function takeFailure(
  ctx: EmulatorContext,
  memberId: string | null,
  method: string,
  phase: FailureRule['phase'],
): FailureRule | null {
  const rule = ctx.state.failures.find(
    (r) =>
      r.remaining > 0 &&
      r.phase === phase &&
      (r.method === method || r.method === '*') &&
      (r.memberId === null || r.memberId === memberId),
  );
  if (!rule) return null;
  rule.remaining--;
  ctx.state.failures = ctx.state.failures.filter((r) => r.remaining > 0);
  return rule;
}

/** The answer an injected 503/500 gives (the documented bodies of those statuses). */
export function injectedError(kind: '503' | '500'): RestError {
  return kind === '503'
    ? new RestError('QUERY_LIMIT_EXCEEDED', 'Too many requests', 503)
    : new RestError('INTERNAL_SERVER_ERROR', 'Internal server error', 500);
}
