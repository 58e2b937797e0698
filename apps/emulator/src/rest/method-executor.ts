import type { EmulatorContext } from '../emulator-context.js';
import { isOverBudget, operatingResetAt, operatingTotal, recordOperating } from '../limits/operating-budget.js';
import type { Portal } from '../state/model.js';
import { type MethodResult, type TimeBlock, timeBlock } from './envelope.js';
import type { AuthContext, MethodTable } from './method-types.js';
import { RestError, restErrors } from './rest-error.js';

// Runs one REST method for an authenticated caller: lookup, scope, operating budget, the handler, the time block.
// Shared by the HTTP handler and by batch sub-calls.

export type Outcome =
  | { ok: true; result: MethodResult; time: TimeBlock }
  | { ok: false; error: RestError; time: TimeBlock };

export interface ExecuteOptions {
  inBatch: boolean;
  /** false when the call's time is not charged (batch itself in 'inner' mode, sub-calls in 'batch' mode) */
  billOperating: boolean;
  parentSeq: number | null;
}

function operatingKey(auth: AuthContext, method: string): string {
  return `${auth.type === 'oauth' ? auth.app.clientId : `webhook:${auth.webhookCode}`}|${method}`;
}

function scopesOf(auth: AuthContext): string[] | null {
  if (auth.type === 'webhook') return null; // emulated webhooks carry every scope
  return auth.app.scope.split(/[,\s]+/).filter(Boolean);
}

export async function executeMethod(
  ctx: EmulatorContext,
  methods: MethodTable,
  portal: Portal,
  auth: AuthContext,
  method: string,
  params: Record<string, unknown>,
  opts: ExecuteOptions,
): Promise<Outcome> {
  const start = ctx.now();
  const key = operatingKey(auth, method);
  const time = (finish: number) => {
    const state = portal.operating.get(key) ?? [];
    return timeBlock(start, finish, operatingTotal(state, finish), operatingResetAt(state, finish));
  };
  try {
    const def = methods.get(method);
    if (!def) throw restErrors.methodNotFound();
    if (opts.inBatch && def.batchable === false) throw restErrors.batchMethodNotAllowed();
    const scopes = scopesOf(auth);
    if (def.scopes && scopes && !def.scopes.some((s) => scopes.includes(s))) throw restErrors.insufficientScope();
    if (opts.billOperating && isOverBudget(portal.operating.get(key) ?? [], start, portal.limits.operatingBudgetSec)) {
      throw restErrors.operationTimeLimit();
    }
    const result = await def.handler({ ctx, portal, auth, params, parentSeq: opts.parentSeq });
    const finish = ctx.now();
    if (opts.billOperating) {
      const cost = portal.limits.operatingCostSec ?? (finish - start) / 1000;
      portal.operating.set(key, recordOperating(portal.operating.get(key) ?? [], finish, cost));
    }
    return { ok: true, result, time: time(finish) };
  } catch (e) {
    if (e instanceof RestError) return { ok: false, error: e, time: time(ctx.now()) };
    ctx.logger.warn(`[emulator] ${method} crashed: ${(e as Error).message}`);
    return { ok: false, error: restErrors.internal(), time: time(ctx.now()) };
  }
}
