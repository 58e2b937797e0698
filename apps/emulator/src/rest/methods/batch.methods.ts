import { parsePhpForm } from '../../http/php-form.js';
import { redactParams } from '../../http/request-params.js';
import { phpCollection } from '../envelope.js';
import { executeMethod } from '../method-executor.js';
import type { MethodDef, MethodTable } from '../method-types.js';
import { asBool, isRecord } from '../params.js';
import { restErrors } from '../rest-error.js';

// `batch`: up to 50 `method?query` commands run with the caller's auth, `$result[cmd][path]` references
// resolved from earlier commands, `halt` stopping at the first error. The batch itself always answers 200.

export const MAX_BATCH_COMMANDS = 50;

type Collected = {
  result: Record<string, unknown>;
  error: Record<string, unknown>;
  total: Record<string, unknown>;
  next: Record<string, unknown>;
  time: Record<string, unknown>;
};

const REF = /\$(result|next|total|time|error)((?:\[[^\]]*\])+)/g;
const WHOLE_REF = /^\$(result|next|total|time|error)((?:\[[^\]]*\])+)$/;

function lookup(collected: Collected, kind: string, path: string): { found: boolean; value: unknown } {
  const keys = [...path.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] as string);
  let node: unknown = collected[kind as keyof Collected];
  for (const k of keys) {
    if (node === null || typeof node !== 'object') return { found: false, value: undefined };
    node = (node as Record<string, unknown>)[k];
    if (node === undefined) return { found: false, value: undefined };
  }
  return { found: true, value: node };
}

/** Whole-value references keep the referenced type; embedded ones are replaced as strings. */
export function substituteReferences(value: unknown, collected: Collected): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_REF.exec(value);
    if (whole) {
      const r = lookup(collected, whole[1] as string, whole[2] as string);
      return r.found ? r.value : value;
    }
    return value.replace(REF, (m, kind: string, path: string) => {
      const r = lookup(collected, kind, path);
      return r.found && (typeof r.value === 'string' || typeof r.value === 'number') ? String(r.value) : m;
    });
  }
  if (Array.isArray(value)) return value.map((v) => substituteReferences(v, collected));
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteReferences(v, collected);
    return out;
  }
  return value;
}

export function parseCommand(cmd: string): { method: string; params: Record<string, unknown> } {
  const q = cmd.indexOf('?');
  const method = (q === -1 ? cmd : cmd.slice(0, q))
    .trim()
    .toLowerCase()
    .replace(/\.json$/, '');
  return { method, params: q === -1 ? {} : (parsePhpForm(cmd.slice(q + 1)) as Record<string, unknown>) };
}

export function batchMethods(getMethods: () => MethodTable): MethodDef[] {
  return [
    {
      name: 'batch',
      scopes: null,
      batchable: false,
      async handler({ ctx, portal, auth, params, parentSeq }) {
        const cmd = params.cmd;
        const entries: [string, unknown][] = Array.isArray(cmd)
          ? cmd.map((v, i) => [String(i), v])
          : isRecord(cmd)
            ? Object.entries(cmd)
            : [];
        const halt = asBool(params.halt) === true;
        const collected: Collected = { result: {}, error: {}, total: {}, next: {}, time: {} };
        let index = 0;
        for (const [key, raw] of entries) {
          index++;
          if (index > MAX_BATCH_COMMANDS) {
            collected.error[key] = restErrors.batchLengthExceeded().toBody();
            continue;
          }
          if (typeof raw !== 'string') {
            collected.error[key] = restErrors.methodNotFound().toBody();
            if (halt) break;
            continue;
          }
          const parsed = parseCommand(raw);
          const subParams = substituteReferences(parsed.params, collected) as Record<string, unknown>;
          const start = ctx.now();
          const outcome = await executeMethod(ctx, getMethods(), portal, auth, parsed.method, subParams, {
            inBatch: true,
            billOperating: ctx.settings.batchOperating === 'inner',
            parentSeq,
          });
          ctx.state.pushCall({
            at: start,
            kind: 'rest',
            host: portal.domain,
            memberId: portal.memberId,
            clientId: auth.type === 'oauth' ? auth.app.clientId : null,
            userId: auth.user.id,
            authType: auth.type,
            method: parsed.method,
            params: redactParams(subParams),
            status: outcome.ok ? 200 : outcome.error.status,
            error: outcome.ok ? null : outcome.error.code,
            durationMs: ctx.now() - start,
            parentSeq,
          });
          collected.time[key] = outcome.time;
          if (outcome.ok) {
            collected.result[key] = outcome.result.result;
            if (outcome.result.total !== undefined) collected.total[key] = outcome.result.total;
            if (outcome.result.next !== undefined) collected.next[key] = outcome.result.next;
          } else {
            collected.error[key] = outcome.error.toBody();
            if (halt) break;
          }
        }
        return {
          result: {
            result: phpCollection(collected.result),
            result_error: phpCollection(collected.error),
            result_total: phpCollection(collected.total),
            result_next: phpCollection(collected.next),
            result_time: phpCollection(collected.time),
          },
        };
      },
    },
  ];
}
