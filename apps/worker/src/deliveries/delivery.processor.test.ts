import { createLogger } from '@b24app/core';
import type { CreatePortal, DeliveryRow } from '@b24app/db';
import { Bitrix24Error, type Bitrix24ErrorKind, type PortalClient } from '@b24app/bitrix24';
import { describe, expect, it } from 'vitest';
import { approval } from '../../test/click-fakes.js';
import type { DeliveryHandler } from './delivery-handler.js';
import { createDeliveryProcessor } from './delivery.processor.js';
import { bizprocEventHandler } from './handlers/bizproc-event.handler.js';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const logger = createLogger({ level: 'silent' });
const portal = (status: CreatePortal['status'] = 'ACTIVE'): CreatePortal => ({
  memberId: 'm1',
  clientEndpoint: 'https://m1.bitrix24.com/rest/',
  status,
  language: 'en',
  badgeCode: null,
  iconCode: null,
  logoCode: null,
  pingOffsets: null,
  rejectCommentRequired: false,
});
const b24 = (kind: Bitrix24ErrorKind, over: { b24Code?: string; maybeApplied?: boolean; retryAfterMs?: number } = {}) =>
  new Bitrix24Error({ kind, method: 'bizproc.event.send', message: kind.toLowerCase(), ...over });

/** One outbox row in memory with the repository's contract, and a scripted handler. */
function setup(
  o: {
    attempts?: number;
    inDoubt?: boolean;
    kind?: string;
    status?: CreatePortal['status'];
    retry?: DeliveryHandler['retry'];
    createdAt?: number;
  } = {},
) {
  const row: DeliveryRow = {
    id: 'd1',
    portalId: 'p1',
    approvalId: 'a1',
    kind: o.kind ?? 'bizproc_event',
    state: 'PENDING',
    attempts: o.attempts ?? 0,
    nextAttemptAt: new Date(NOW),
    inDoubt: o.inDoubt ?? false,
    outcome: null,
    lastError: null,
    createdAt: new Date(o.createdAt ?? NOW),
    deliveredAt: null,
  };
  let claimable = true;
  const calls: string[] = [];
  const deliver: { next: () => Promise<unknown> } = { next: async () => ({ done: 'sent' }) };
  const handler: DeliveryHandler = {
    kind: 'bizproc_event',
    maxAttempts: 5,
    ...(o.retry ? { retry: o.retry } : {}),
    async deliver(ctx) {
      calls.push(`deliver inDoubt=${ctx.inDoubt}`);
      return (await deliver.next()) as never;
    },
  };
  const processor = createDeliveryProcessor({
    deliveries: {
      async claim() {
        if (!claimable || row.state !== 'PENDING') return null;
        row.attempts += 1;
        return { ...row };
      },
      async markInDoubt() {
        row.inDoubt = true;
      },
      async markDone(_id, outcome) {
        Object.assign(row, { state: 'DONE', outcome });
      },
      async retryAt(_id, r) {
        Object.assign(row, { nextAttemptAt: r.at, lastError: r.error, inDoubt: r.inDoubt });
        if (r.giveBack) row.attempts -= 1;
      },
      async markFailed(_id, outcome, error) {
        Object.assign(row, { state: 'FAILED', outcome, lastError: error });
      },
    },
    approvals: {
      async withPortal() {
        return { approval: approval({ state: 'APPROVED', decidedById: 5 }), portal: portal(o.status) };
      },
    },
    clients: { get: async () => ({}) as PortalClient },
    handlers: new Map([['bizproc_event', handler]]),
    logger,
    leaseMs: 10_000,
    backoffMs: 1_000,
    now: () => NOW,
  });
  return { row, calls, deliver, processor, stopClaims: () => (claimable = false) };
}

describe('delivery processor', () => {
  it('a kind with its own schedule (callbacks) retries past maxAttempts until its window after the decision ends', async () => {
    const retry = { delayMs: (n: number) => n * 7_000, windowMs: 3_600_000 };
    const t = setup({ attempts: 40, retry, createdAt: NOW - 3_599_000 });
    t.deliver.next = async () => ({ retry: 'http_503' });
    expect(await t.processor.process('d1')).toMatchObject({ outcome: 'retry', kind: 'bizproc_event' });
    expect(t.row).toMatchObject({ state: 'PENDING', attempts: 41, lastError: 'http_503', inDoubt: true });
    expect(t.row.nextAttemptAt).toEqual(new Date(NOW + 41 * 7_000));
    // a throw is retried on the same schedule
    t.row.nextAttemptAt = new Date(NOW);
    t.deliver.next = async () => {
      throw new Error('database hiccup');
    };
    expect((await t.processor.process('d1')).outcome).toBe('retry');
    expect(t.row.nextAttemptAt).toEqual(new Date(NOW + 42 * 7_000));

    const late = setup({ attempts: 2, retry, createdAt: NOW - 3_600_000 });
    late.deliver.next = async () => ({ retry: 'timeout' });
    expect(await late.processor.process('d1')).toMatchObject({ outcome: 'failed', ended: 'gave_up' });
    expect(late.row).toMatchObject({
      state: 'FAILED',
      outcome: 'gave_up',
      lastError: 'gave up after 3 attempts: timeout',
    });
  });

  it('delivers once: DONE, and a second job finds nothing to claim', async () => {
    const t = setup();
    expect((await t.processor.process('d1')).outcome).toBe('done');
    expect(t.row).toMatchObject({ state: 'DONE', outcome: 'sent', attempts: 1, inDoubt: true });
    expect((await t.processor.process('d1')).outcome).toBe('skipped');
    expect(t.calls).toHaveLength(1);
  });

  it('a rate limit waits for the portal without spending the attempt or doubting the delivery', async () => {
    const t = setup();
    t.deliver.next = async () => {
      throw b24('RATE_LIMITED', { retryAfterMs: 3_000 });
    };
    expect((await t.processor.process('d1')).outcome).toBe('rate_limited');
    expect(t.row).toMatchObject({ state: 'PENDING', attempts: 0, inDoubt: false });
    expect(t.row.nextAttemptAt).toEqual(new Date(NOW + 3_000));
  });

  it('a transient failure backs off, doubling; a lost answer keeps it in doubt for the next attempt', async () => {
    const t = setup({ attempts: 2 });
    t.deliver.next = async () => {
      throw b24('TRANSIENT', { maybeApplied: true });
    };
    expect((await t.processor.process('d1')).outcome).toBe('retry');
    expect(t.row).toMatchObject({ state: 'PENDING', attempts: 3, inDoubt: true, lastError: 'transient' });
    expect(t.row.nextAttemptAt).toEqual(new Date(NOW + 4_000)); // 1 s × 2^(3-1)
    t.deliver.next = async () => ({ done: 'sent' });
    await t.processor.process('d1');
    expect(t.calls.at(-1)).toBe('deliver inDoubt=true');
  });

  it('a failure that never reached the portal does not put it in doubt', async () => {
    const t = setup();
    t.deliver.next = async () => {
      throw b24('TRANSIENT', { maybeApplied: false });
    };
    await t.processor.process('d1');
    expect(t.row.inDoubt).toBe(false);
  });

  it('gives up after the kind’s attempts; a refusal no retry changes ends it at once', async () => {
    const spent = setup({ attempts: 4 });
    spent.deliver.next = async () => {
      throw b24('TRANSIENT');
    };
    expect((await spent.processor.process('d1')).outcome).toBe('failed');
    expect(spent.row).toMatchObject({ state: 'FAILED', outcome: 'gave_up' });
    expect(spent.row.lastError).toMatch(/^gave up after 5 attempts/);

    const refused = setup();
    refused.deliver.next = async () => {
      throw b24('VALIDATION', { b24Code: 'ERROR_ARGUMENT' });
    };
    await refused.processor.process('d1');
    expect(refused.row).toMatchObject({ state: 'FAILED', outcome: 'rejected', attempts: 1 });
  });

  it('a portal that needs a reinstall parks it without an attempt; an uninstalled one drops it', async () => {
    const parked = setup({ status: 'NEEDS_REINSTALL' });
    expect((await parked.processor.process('d1')).outcome).toBe('retry');
    expect(parked.row).toMatchObject({ state: 'PENDING', attempts: 0 });
    expect(parked.row.nextAttemptAt).toEqual(new Date(NOW + 60_000));
    expect(parked.calls).toEqual([]);
    const gone = setup({ status: 'UNINSTALLED' });
    await gone.processor.process('d1');
    expect(gone.row).toMatchObject({ state: 'FAILED', outcome: 'portal_gone' });
  });

  it('a kind without a handler ends FAILED unknown_kind', async () => {
    const t = setup({ kind: 'notify_martians' });
    await t.processor.process('d1');
    expect(t.row).toMatchObject({ state: 'FAILED', outcome: 'unknown_kind' });
  });
});

describe('bizproc_event handler', () => {
  const run = { id: 'r1', portalId: 'p1', eventTokenEnc: 'sealed', eventTokenKeyId: 'k1' };
  const handler = bizprocEventHandler({
    runs: { runOfApproval: async () => run },
    cipher: { decrypt: () => 'wf|A1|sig' },
  });
  const sent: { method: string; params: Record<string, unknown> }[] = [];
  const client = (fail?: Error) =>
    ({
      async call(method: string, params: Record<string, unknown>) {
        sent.push({ method, params });
        if (fail) throw fail;
        return true;
      },
    }) as unknown as PortalClient;
  const ctx = (over: { inDoubt?: boolean; fail?: Error } = {}) => ({
    delivery: {} as DeliveryRow,
    approval: approval({ state: 'REJECTED', decidedById: 5, decidedByName: 'Rita', decisionComment: 'Too much' }),
    portal: portal(),
    client: client(over.fail),
    inDoubt: over.inDoubt ?? false,
    log: logger,
  });

  it('sends the decision, who decided and the comment with the run’s token', async () => {
    expect(await handler.deliver(ctx())).toEqual({ done: 'sent' });
    expect(sent.at(-1)).toEqual({
      method: 'bizproc.event.send',
      params: {
        EVENT_TOKEN: 'wf|A1|sig',
        RETURN_VALUES: { decision: 'rejected', decidedBy: 'user_5', comment: 'Too much' },
        LOG_MESSAGE: 'Approval rejected by Rita: Too much',
      },
    });
  });

  it('a refused token: delivered when an earlier attempt may have landed, else the run is gone', async () => {
    const refusal = b24('ACCESS_DENIED', { b24Code: 'ACCESS_DENIED' });
    expect(await handler.deliver(ctx({ inDoubt: true, fail: refusal }))).toMatchObject({ done: 'already_delivered' });
    expect(await handler.deliver(ctx({ fail: refusal }))).toMatchObject({ failed: 'refused' });
    // other failures are the processor's to classify
    await expect(handler.deliver(ctx({ fail: b24('TRANSIENT') }))).rejects.toBeInstanceOf(Bitrix24Error);
  });
});
