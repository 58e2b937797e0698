import { Bitrix24Error } from '@b24app/bitrix24';
import { createLogger } from '@b24app/core';
import { describe, expect, it } from 'vitest';
import { createTokenKeepAlive } from './token-keepalive.js';

type ClientOutcome = 'refreshed' | 'renewed_meanwhile';

const DAY = 24 * 3600;
const NOW = Date.UTC(2026, 11, 2);
const logger = createLogger({ level: 'silent', name: 'test' });

function setup(opts: { keepAlive?: (memberId: string, issuedBefore: number) => Promise<ClientOutcome> } = {}) {
  const asked: Date[] = [];
  const enqueued: [string, number][] = [];
  const notes: [string, string][] = [];
  const seen: [string, string | undefined][] = [];
  const keepAliveCalls: [string, number][] = [];
  const keepAlive = createTokenKeepAlive({
    store: {
      keepAliveDue: async (issuedBefore) => {
        asked.push(issuedBefore);
        return [
          { memberId: 'a', refreshIssuedAt: new Date(NOW - 25 * DAY * 1000) },
          { memberId: 'b', refreshIssuedAt: new Date(NOW - 22 * DAY * 1000) },
        ];
      },
      noteKeepAliveFailure: async (m, reason) => void notes.push([m, reason]),
    },
    clients: {
      keepAlive: async (m, issuedBefore) => {
        keepAliveCalls.push([m, issuedBefore]);
        return (opts.keepAlive ?? (async (): Promise<ClientOutcome> => 'refreshed'))(m, issuedBefore);
      },
    },
    enqueue: async (m, delay) => void enqueued.push([m, delay]),
    policy: { refreshTtlSec: 28 * DAY, windowSec: 7 * DAY, jitterMs: 3_600_000 },
    logger,
    metrics: { refresh: (o, c) => void seen.push([o, c]), due: () => {} },
    now: () => NOW,
    random: (() => {
      const r = [0.25, 0.5];
      return () => r.shift() ?? 0;
    })(),
  });
  return { keepAlive, asked, enqueued, notes, seen, keepAliveCalls };
}

describe('token keep-alive', () => {
  it('a scan gives every portal whose refresh token ages into the window a jittered refresh job', async () => {
    const t = setup();
    expect(await t.keepAlive.scan()).toBe(2);
    // Due: issued more than lifetime − window (21 days) ago.
    expect(t.asked).toEqual([new Date(NOW - 21 * DAY * 1000)]);
    expect(t.enqueued).toEqual([
      ['a', 900_000],
      ['b', 1_800_000],
    ]);
  });

  it('refreshes through the portal client, unless renewed since it came due', async () => {
    const t = setup({ keepAlive: async (m) => (m === 'a' ? 'refreshed' : 'renewed_meanwhile') });
    expect(await t.keepAlive.refresh('a', { finalAttempt: false })).toBe('refreshed');
    expect(await t.keepAlive.refresh('b', { finalAttempt: false })).toBe('renewed_meanwhile');
    // The client is told the cutoff (unix seconds): a token issued after it was renewed meanwhile.
    expect(t.keepAliveCalls).toEqual([
      ['a', (NOW - 21 * DAY * 1000) / 1000],
      ['b', (NOW - 21 * DAY * 1000) / 1000],
    ]);
    expect(t.seen).toEqual([
      ['refreshed', undefined],
      ['renewed_meanwhile', undefined],
    ]);
  });

  it('a dead refresh token is not retried (the refresh marked the portal NEEDS_REINSTALL)', async () => {
    const dead = new Bitrix24Error({
      kind: 'TOKEN_REVOKED',
      method: 'oauth.token',
      b24Code: 'invalid_grant',
      message: 'x',
    });
    const t = setup({ keepAlive: async () => Promise.reject(dead) });
    expect(await t.keepAlive.refresh('a', { finalAttempt: false })).toBe('failed');
    expect(t.seen).toEqual([['failed', 'invalid_grant']]);
    expect(t.notes).toEqual([]);
  });

  it('an uninstalled portal is left alone', async () => {
    const gone = new Bitrix24Error({
      kind: 'TOKEN_REVOKED',
      method: 'portal',
      b24Code: 'PORTAL_NOT_ACTIVE',
      message: 'x',
    });
    const t = setup({ keepAlive: async () => Promise.reject(gone) });
    expect(await t.keepAlive.refresh('a', { finalAttempt: true })).toBe('portal_gone');
    expect(t.notes).toEqual([]);
  });

  it('another failure is retried, and noted on the portal after the last attempt', async () => {
    const down = new Bitrix24Error({
      kind: 'TRANSIENT',
      method: 'oauth.token',
      b24Code: 'NETWORK_ERROR',
      message: 'x',
    });
    const t = setup({ keepAlive: async () => Promise.reject(down) });
    await expect(t.keepAlive.refresh('a', { finalAttempt: false })).rejects.toBe(down);
    expect(t.notes).toEqual([]);
    await expect(t.keepAlive.refresh('a', { finalAttempt: true })).rejects.toBe(down);
    expect(t.notes).toEqual([['a', 'token keep-alive failed: NETWORK_ERROR']]);
    expect(t.seen).toEqual([
      ['failed', 'NETWORK_ERROR'],
      ['failed', 'NETWORK_ERROR'],
    ]);
  });
});
