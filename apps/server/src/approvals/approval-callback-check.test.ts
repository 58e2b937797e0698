import { createLogger } from '@b24app/core';
import type { Db } from '@b24app/db';
import { describe, expect, it } from 'vitest';
import { createApprovalService } from './approval.service.js';

// The callbackUrl checks run before anything is recorded: a refused create writes no row and enqueues no job.
function service(operatorCanSign: boolean) {
  const writes: string[] = [];
  const db = {
    portal: { findUnique: async () => ({ id: 'p1', memberId: 'a'.repeat(32), status: 'ACTIVE', settings: null }) },
  } as unknown as Db;
  const refuse = (what: string) => async () => {
    writes.push(what);
    throw new Error(`no ${what} expected`);
  };
  const approvals = createApprovalService({
    db,
    approvals: {
      insertForRequest: refuse('insert'),
      requestCreate: refuse('requestCreate'),
      discardFailedCreate: refuse('discard'),
    },
    producer: { enqueue: refuse('enqueue') },
    waiter: { waitFor: refuse('wait') },
    logger: createLogger({ level: 'silent' }),
    callbacks: {
      policy: { allowLoopback: false },
      operatorCanSign,
      resolve: async () => [{ address: '10.1.2.3', family: 4 }],
    },
  });
  const input = { memberId: 'a'.repeat(32), ownerTypeId: 2, ownerId: 1, title: 'x' };
  return { approvals, writes, input };
}

describe('approval create: callbackUrl', () => {
  it('with API_TOKEN and no API_SIGNING_SECRET: refused (never sent unsigned), nothing written', async () => {
    const s = service(false);
    await expect(
      s.approvals.create({ ...s.input, apiKeyId: null, callbackUrl: 'https://erp.example.com/h' }),
    ).rejects.toMatchObject({ code: 'CALLBACK_URL_REFUSED', message: expect.stringMatching(/API_SIGNING_SECRET/) });
    expect(s.writes).toEqual([]);
  });

  it('a host resolving to a private address: refused, nothing written', async () => {
    const s = service(true);
    await expect(
      s.approvals.create({ ...s.input, apiKeyId: 'k1', callbackUrl: 'https://erp.example.com/h' }),
    ).rejects.toMatchObject({ code: 'CALLBACK_URL_REFUSED', message: expect.stringMatching(/private address/) });
    expect(s.writes).toEqual([]);
  });
});
