import { createLogger } from '@b24app/core';
import type { ApprovalsRepository } from '@b24app/db';
import { Bitrix24Error, type Bitrix24ErrorKind, type PortalClient } from '@b24app/bitrix24';
import { describe, expect, it } from 'vitest';
import { approval } from '../../test/click-fakes.js';
import { DelayJob } from '../timeline/click-outcome.js';
import { createApprovalCreateProcessor } from './approval-create.processor.js';

const logger = createLogger({ level: 'silent' });
const b24 = (kind: Bitrix24ErrorKind, over: { maybeApplied?: boolean; retryAfterMs?: number } = {}) =>
  new Bitrix24Error({ kind, method: 'crm.activity.configurable.add', message: kind.toLowerCase(), ...over });

/** One approval row left to the job, its claim and add count in memory, and a portal whose answers a test scripts. */
function setup(o: { earlierAdds?: number; claimTaken?: boolean } = {}) {
  const row = approval({ activityId: null, createRequestedAt: new Date(), addAttempts: o.earlierAdds ?? 0 });
  const log: string[] = [];
  const answers: Record<string, () => unknown> = {
    'crm.activity.configurable.add': () => ({ activity: { id: 901 } }),
    'crm.activity.list': () => [],
  };
  const client = {
    async call(method: string) {
      log.push(method);
      return answers[method]!();
    },
  } as unknown as PortalClient;
  const approvals: Parameters<typeof createApprovalCreateProcessor>[0]['approvals'] = {
    async withPortal() {
      return {
        approval: { ...row },
        portal: {
          memberId: 'm1',
          clientEndpoint: 'https://m1.bitrix24.com/rest/',
          status: 'ACTIVE',
          language: 'en',
          badgeCode: null,
          iconCode: null,
          logoCode: null,
          pingOffsets: null,
          rejectCommentRequired: false,
        },
      };
    },
    async takeAddClaim() {
      if (o.claimTaken === false) return { taken: false, earlierAdds: 0 };
      row.addAttempts += 1;
      return { taken: true, earlierAdds: row.addAttempts - 1 };
    },
    async settleActivity(_id, activityId) {
      row.activityId = activityId;
      return { ...row };
    },
    async releaseAddClaim(_id, _claim, r) {
      log.push(`release addMayHaveRun=${r.addMayHaveRun}`);
      if (!r.addMayHaveRun) row.addAttempts -= 1;
    },
    async noteCreateError(_id, error) {
      row.createError = error;
    },
    async failCreate(_id, error) {
      row.createFailedAt = new Date();
      row.createError = error;
      return true;
    },
  } satisfies Partial<ApprovalsRepository>;
  const processor = createApprovalCreateProcessor({
    approvals,
    clients: { get: async () => client },
    logger,
    claimTtlMs: 60_000,
  });
  return { row, log, answers, processor };
}

describe('approval creation job', () => {
  it('adds the card once and stores its id', async () => {
    const t = setup();
    expect(await t.processor.process('a1', { finalAttempt: false })).toMatchObject({
      outcome: 'created',
      activityId: 901,
    });
    expect(t.log).toEqual(['crm.activity.configurable.add']);
    expect(await t.processor.process('a1', { finalAttempt: false })).toMatchObject({ outcome: 'settled' });
    expect(t.log).toEqual(['crm.activity.configurable.add']);
  });

  it('after an earlier add, looks the card up by originId first and adds nothing when it is there', async () => {
    const t = setup({ earlierAdds: 1 });
    t.answers['crm.activity.list'] = () => [{ ID: '777' }];
    expect(await t.processor.process('a1', { finalAttempt: false })).toMatchObject({
      outcome: 'found',
      activityId: 777,
    });
    expect(t.log).toEqual(['crm.activity.list']);
  });

  it('waits while another add holds the claim', async () => {
    const t = setup({ claimTaken: false });
    await expect(t.processor.process('a1', { finalAttempt: false })).rejects.toBeInstanceOf(DelayJob);
    expect(t.log).toEqual([]);
  });

  it('a rate limit delays the job, and the add that never ran is not counted', async () => {
    const t = setup();
    t.answers['crm.activity.configurable.add'] = () => {
      throw b24('RATE_LIMITED', { retryAfterMs: 2_500 });
    };
    await expect(t.processor.process('a1', { finalAttempt: false })).rejects.toMatchObject({ retryAfterMs: 2_500 });
    expect(t.row.addAttempts).toBe(0);
  });

  it('an add whose answer was lost (and is not found) counts: the next attempt looks first', async () => {
    const t = setup();
    t.answers['crm.activity.configurable.add'] = () => {
      throw b24('TRANSIENT', { maybeApplied: true });
    };
    await expect(t.processor.process('a1', { finalAttempt: false })).rejects.toBeInstanceOf(Bitrix24Error);
    expect(t.log).toEqual(['crm.activity.configurable.add', 'crm.activity.list', 'release addMayHaveRun=true']);
    expect(t.row).toMatchObject({ addAttempts: 1, createError: 'transient', createFailedAt: null });
    t.answers['crm.activity.list'] = () => [{ ID: '778' }];
    expect(await t.processor.process('a1', { finalAttempt: false })).toMatchObject({
      outcome: 'found',
      activityId: 778,
    });
  });

  it('a refusal of the portal ends the row as failed; so does the last transient attempt', async () => {
    const refused = setup();
    refused.answers['crm.activity.configurable.add'] = () => {
      throw b24('NOT_FOUND');
    };
    expect(await refused.processor.process('a1', { finalAttempt: false })).toMatchObject({ outcome: 'failed' });
    expect(refused.row.createError).toMatch(/NOT_FOUND/);

    const last = setup();
    last.answers['crm.activity.configurable.add'] = () => {
      throw b24('TRANSIENT');
    };
    expect(await last.processor.process('a1', { finalAttempt: true })).toMatchObject({ outcome: 'failed' });
    expect(last.row.createError).toMatch(/^gave up after the last attempt/);
  });
});
