import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bitrix24Error } from './bitrix24-errors.js';
import { batchIsIdempotent, DEFAULT_RETRY, decideRetry, isIdempotentMethod } from './retry-policy.js';

const err = (kind: Bitrix24Error['kind'], b24Code?: string) =>
  new Bitrix24Error({ kind, method: 'm', message: 'm', ...(b24Code ? { b24Code } : {}) });

describe('isIdempotentMethod', () => {
  it.each([
    ['crm.activity.configurable.add', false],
    ['crm.activity.badge.add', false],
    ['CRM.ACTIVITY.CONFIGURABLE.ADD', false],
    ['im.notify.system.add', false],
    ['crm.activity.configurable.update', true],
    ['crm.activity.configurable.get', true],
    ['crm.activity.list', true],
    ['crm.activity.delete', true],
    ['event.bind', true],
    ['app.info', true],
  ])('%s → %s', (method, expected) => {
    expect(isIdempotentMethod(method)).toBe(expected);
  });

  it('a batch is idempotent only if every command is', () => {
    expect(batchIsIdempotent(['crm.activity.get', 'crm.activity.list'])).toBe(true);
    expect(batchIsIdempotent(['crm.activity.get', 'crm.activity.configurable.add'])).toBe(false);
  });
});

describe('decideRetry', () => {
  const opts = (idempotent: boolean) => ({ ...DEFAULT_RETRY, idempotent, random: () => 0.5 });

  it('retries transient failures of idempotent calls with growing, bounded backoff', () => {
    const delays = [1, 2, 3].map((n) => {
      const d = decideRetry(err('TRANSIENT', 'INTERNAL_SERVER_ERROR'), n, opts(true));
      expect(d.retry).toBe(true);
      return d.retry ? d.delayMs : -1;
    });
    expect(delays[0]).toBeLessThan(delays[1] ?? 0);
    expect(delays[1]).toBeLessThan(delays[2] ?? 0);
    expect(decideRetry(err('TRANSIENT'), DEFAULT_RETRY.maxAttempts, opts(true)).retry).toBe(false);
  });

  it('never retries a transient failure of a non-idempotent call (it may have been applied)', () => {
    for (const code of ['INTERNAL_SERVER_ERROR', 'REQUEST_TIMEOUT', 'NETWORK_ERROR', undefined]) {
      expect(decideRetry(err('TRANSIENT', code), 1, opts(false)).retry).toBe(false);
    }
  });

  it('retries portal-side rejections for every call: they ran nothing', () => {
    expect(decideRetry(err('RATE_LIMITED', 'QUERY_LIMIT_EXCEEDED'), 1, opts(false))).toMatchObject({
      retry: true,
      why: 'limit',
    });
    expect(decideRetry(err('RATE_LIMITED', 'OPERATION_TIME_LIMIT'), 1, opts(true))).toMatchObject({ retry: true });
  });

  it('treats validation, access, not-found, revoked and our own RATE_LIMITED as final', () => {
    for (const kind of ['VALIDATION', 'ACCESS_DENIED', 'NOT_FOUND', 'TOKEN_REVOKED', 'PORTAL_UNAVAILABLE'] as const) {
      expect(decideRetry(err(kind), 1, opts(true)).retry).toBe(false);
    }
    expect(decideRetry(err('RATE_LIMITED', 'RATE_LIMITED'), 1, opts(true)).retry).toBe(false);
  });

  it('keeps every backoff within [ceiling/2, maxDelayMs] whatever the jitter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (failures, r) => {
        const d = decideRetry(err('TRANSIENT'), failures, {
          ...DEFAULT_RETRY,
          maxAttempts: 100,
          idempotent: true,
          random: () => r,
        });
        if (!d.retry) return false;
        const ceiling = Math.min(DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.baseDelayMs * 2 ** (failures - 1));
        return d.delayMs >= Math.floor(ceiling / 2) && d.delayMs <= DEFAULT_RETRY.maxDelayMs;
      }),
    );
  });
});
