import { constantTimeEqual } from './constant-time.js';

/** A dependency check for /readyz: resolves when healthy, rejects with a reason otherwise. */
export type ReadinessCheck = () => Promise<void>;

/** What /readyz may say about a check: stable codes only, never a driver's error text. */
export type ReadinessState = 'ok' | 'timeout' | 'unavailable';

export interface ReadinessResult {
  ok: boolean;
  checks: Record<string, ReadinessState>;
  /** The raw reasons, for the log line only (they may name hosts, users or databases). */
  reasons: Record<string, string>;
}

export async function checkReadiness(
  checks: Record<string, ReadinessCheck>,
  timeoutMs = 2_000,
): Promise<ReadinessResult> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), timeoutMs);
        return [name, 'ok', ''] as const;
      } catch (e) {
        const state: ReadinessState = e instanceof ReadinessTimeout ? 'timeout' : 'unavailable';
        return [name, state, (e as Error)?.message || 'failed'] as const;
      }
    }),
  );
  return {
    ok: results.every(([, r]) => r === 'ok'),
    checks: Object.fromEntries(results.map(([n, s]) => [n, s])),
    reasons: Object.fromEntries(results.filter(([, s]) => s !== 'ok').map(([n, , m]) => [n, m])),
  };
}

/**
 * The /readyz body: the status for everyone (the orchestrator needs only the code); which check
 * failed only for an operator.
 */
export function readinessBody(r: ReadinessResult, detailed: boolean): Record<string, unknown> {
  return { status: r.ok ? 'ready' : 'not ready', ...(detailed ? { checks: r.checks } : {}) };
}

/**
 * The operator's probes (/metrics, /readyz details, Bull Board) accept `Authorization: Bearer
 * <token>`; with no token configured they are open (local use), which the ops README warns about.
 */
export function operatorAuthorized(authorization: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const m = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  return m !== null && constantTimeEqual(m[1]!.trim(), token);
}

class ReadinessTimeout extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReadinessTimeout(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
