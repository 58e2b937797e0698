import type { Bitrix24Error } from './bitrix24-errors.js';

// Methods that create something: running one twice may create two. Everything else we call (get, list, update,
// delete, event.bind/unbind) converges when repeated.
const NON_IDEMPOTENT = /\.(add|send|start|copy|notify)$|^im\.notify/i;

/** Pure: whether a blind retry of `method` is harmless. `batch` is judged by its commands (see `batchIsIdempotent`). */
export function isIdempotentMethod(method: string): boolean {
  return !NON_IDEMPOTENT.test(method.trim());
}

export function batchIsIdempotent(methods: string[]): boolean {
  return methods.every(isIdempotentMethod);
}

export interface RetryOptions {
  idempotent: boolean;
  /** Total attempts, first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  random?: () => number;
}

export const DEFAULT_RETRY: Omit<RetryOptions, 'idempotent'> = { maxAttempts: 4, baseDelayMs: 300, maxDelayMs: 5000 };

export type RetryDecision = { retry: false } | { retry: true; delayMs: number; why: 'limit' | 'transient' };

/**
 * Pure: what to do after attempt number `failures` (1 = the first attempt failed) ended in `err`.
 * - Rejections the portal makes before running the method (QUERY_LIMIT_EXCEEDED, OPERATION_TIME_LIMIT) are
 *   retried for every call, even `*.add`: nothing was created. The shared limiter decides when (delay 0 here).
 * - TRANSIENT failures (5xx, timeouts, dropped connections) are retried only for idempotent calls, with
 *   exponential backoff and jitter: for a `*.add` the first attempt may have been applied.
 * - Everything else (validation, access, not found, revoked tokens) is final.
 */
export function decideRetry(err: Bitrix24Error, failures: number, opts: RetryOptions): RetryDecision {
  if (failures >= opts.maxAttempts) return { retry: false };
  if (err.b24Code === 'QUERY_LIMIT_EXCEEDED' || err.b24Code === 'OPERATION_TIME_LIMIT') {
    return { retry: true, delayMs: 0, why: 'limit' };
  }
  if (err.kind === 'TRANSIENT' && opts.idempotent) {
    const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (failures - 1));
    const random = opts.random ?? Math.random;
    // "Equal jitter": at least half the backoff, so retries from many processes spread out but never hammer.
    return { retry: true, delayMs: Math.round(ceiling / 2 + (random() * ceiling) / 2), why: 'transient' };
  }
  return { retry: false };
}
