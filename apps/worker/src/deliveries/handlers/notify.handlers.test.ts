import { createLogger } from '@b24app/core';
import type { CreatePortal, DeliveryRow } from '@b24app/db';
import { Bitrix24Error, type PortalClient } from '@b24app/bitrix24';
import { describe, expect, it } from 'vitest';
import { approval } from '../../../test/click-fakes.js';
import type { DeliveryContext } from '../delivery-handler.js';
import { notifyApproverHandler } from './notify-approver.handler.js';
import { notifyRequesterHandler } from './notify-requester.handler.js';

const portal: CreatePortal = {
  memberId: 'm1',
  clientEndpoint: 'https://acme.bitrix24.com/rest/',
  status: 'ACTIVE',
  language: 'ru',
  badgeCode: null,
  iconCode: null,
  logoCode: null,
  pingOffsets: null,
  rejectCommentRequired: false,
};

/** A client that records its calls and answers `answer` (or throws it). */
function client(answer: unknown = 42) {
  const calls: { method: string; params: Record<string, unknown> }[] = [];
  const c = {
    memberId: 'm1',
    async call(method: string, params: Record<string, unknown> = {}) {
      calls.push({ method, params });
      if (answer instanceof Error) throw answer;
      return answer;
    },
    batch: async () => ({}),
  } as unknown as PortalClient;
  return { c, calls };
}

function ctx(over: Partial<Parameters<typeof approval>[0]>, c: PortalClient): DeliveryContext {
  return {
    delivery: {} as DeliveryRow,
    approval: approval({ responsibleId: 7, requesterId: 3, requesterName: 'Ivan', ...over }),
    portal,
    client: c,
    inDoubt: false,
    log: createLogger({ level: 'silent' }),
  };
}

describe('notification handlers', () => {
  it('notify_approver sends im.notify.system.add to the approver, in the portal language, with the item link', async () => {
    const { c, calls } = client();
    expect(await notifyApproverHandler().deliver(ctx({}, c))).toEqual({ done: 'sent' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.method).toBe('im.notify.system.add');
    expect(calls[0]!.params).toMatchObject({ USER_ID: 7, TAG: 'b24app|approval|a1|approver' });
    expect(calls[0]!.params.MESSAGE).toContain('[url=https://acme.bitrix24.com/crm/deal/details/10/]Сделка #10[/url]');
  });

  it('notify_approver of an approval decided meanwhile sends nothing', async () => {
    const { c, calls } = client();
    expect(await notifyApproverHandler().deliver(ctx({ state: 'APPROVED' }, c))).toMatchObject({ done: 'skipped' });
    expect(calls).toEqual([]);
  });

  it('notify_requester sends the decision, who and the comment to the requester', async () => {
    const { c, calls } = client();
    const decided = { state: 'REJECTED' as const, decidedById: 7, decidedByName: 'Anna', decisionComment: 'Нет' };
    expect(await notifyRequesterHandler().deliver(ctx(decided, c))).toEqual({ done: 'sent' });
    expect(calls[0]!.params).toMatchObject({ USER_ID: 3, TAG: 'b24app|approval|a1|requester' });
    expect(calls[0]!.params.MESSAGE).toMatch(/отклонён: Anna\. Комментарий: Нет$/);
  });

  it('a missing im scope ends the delivery as no_scope; Bitrix24 making none ends it as not_created', async () => {
    const scope = new Bitrix24Error({
      kind: 'ACCESS_DENIED',
      method: 'im.notify.system.add',
      message: 'higher privileges',
      b24Code: 'insufficient_scope',
    });
    expect(await notifyApproverHandler().deliver(ctx({}, client(scope).c))).toMatchObject({ failed: 'no_scope' });
    expect(await notifyApproverHandler().deliver(ctx({}, client(false).c))).toMatchObject({ failed: 'not_created' });
  });

  it('a transient failure is thrown for the processor to retry', async () => {
    const e = new Bitrix24Error({ kind: 'TRANSIENT', method: 'im.notify.system.add', message: '500' });
    await expect(notifyApproverHandler().deliver(ctx({}, client(e).c))).rejects.toBe(e);
  });
});
