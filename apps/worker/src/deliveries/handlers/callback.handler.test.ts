import { createLogger } from '@b24app/core';
import type { CreatePortal, DeliveryRow } from '@b24app/db';
import type { ApprovalDetails } from '@b24app/approvals';
import type { CallbackDelivery } from '@b24app/callbacks';
import type { PortalClient } from '@b24app/bitrix24';
import { describe, expect, it } from 'vitest';
import { approval } from '../../../test/click-fakes.js';
import { callbackHandler } from './callback.handler.js';

const delivery = { id: 'delivery-1', kind: 'callback', attempts: 1 } as DeliveryRow;
const portal = { memberId: 'm1', status: 'ACTIVE' } as CreatePortal;
const log = createLogger({ level: 'silent' });
const shown = { id: 'a1', state: 'approved' } as ApprovalDetails;

function setup(o: { operatorSecret?: string | null; status?: number | null; error?: string | null } = {}) {
  const sent: CallbackDelivery[] = [];
  const observed: string[] = [];
  const handler = callbackHandler({
    details: async () => shown,
    keySecret: async (id) => (id === 'key-1' ? 'key-secret' : null),
    operatorSecret: o.operatorSecret === undefined ? 'operator-secret' : o.operatorSecret,
    send: async (d) => {
      sent.push(d);
      const error = o.error ?? null;
      return { delivered: error === null, status: o.status ?? 200, error, durationMs: 1 };
    },
    retry: { delayMs: () => 1, windowMs: 1 },
    observe: (r) => observed.push(r),
  });
  const run = (over: Parameters<typeof approval>[0]) =>
    handler.deliver({
      delivery,
      approval: approval({ state: 'APPROVED', callbackUrl: 'https://erp.example.com/h', ...over }),
      portal,
      client: {} as PortalClient,
      inDoubt: false,
      log,
    });
  return { sent, observed, run };
}

describe('callback handler', () => {
  it('posts the approval as the API shows it, with the delivery id as event id, signed with the creating key’s secret', async () => {
    const t = setup();
    expect(await t.run({ apiKeyId: 'key-1' })).toEqual({ done: 'sent' });
    expect(t.sent).toEqual([
      {
        url: 'https://erp.example.com/h',
        body: JSON.stringify({ id: 'delivery-1', type: 'approval.decided', approval: shown }),
        secret: 'key-secret',
        eventId: 'delivery-1',
      },
    ]);
    expect(t.observed).toEqual(['delivered']);
    await t.run({ apiKeyId: null });
    expect(t.sent[1]?.secret).toBe('operator-secret');
  });

  it('a failed POST is retried with its reason; without a secret it ends, never unsigned', async () => {
    const down = setup({ status: 503, error: 'http_503' });
    expect(await down.run({})).toEqual({ retry: 'http_503' });
    expect(down.observed).toEqual(['http_503']);
    const unsigned = setup({ operatorSecret: null });
    expect(await unsigned.run({ apiKeyId: null })).toMatchObject({ failed: 'no_signing_secret' });
    expect(await unsigned.run({ apiKeyId: 'purged-key' })).toMatchObject({ failed: 'no_signing_secret' });
    expect(unsigned.sent).toEqual([]);
  });
});
