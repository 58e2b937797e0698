import { describe, expect, it } from 'vitest';
import { approverNotification, crmItemPath, portalOrigin, requesterNotification } from './approval-notifications.js';

const row = {
  id: 'a1',
  title: 'Discount 15%',
  ownerTypeId: 2,
  ownerId: 15,
  state: 'PENDING' as const,
  requesterId: 1,
  requesterName: 'Ivan Admin',
  decidedById: null,
  decidedByName: null,
  decisionComment: null,
};
const o = { lang: 'en', portalUrl: 'https://acme.bitrix24.com' };

describe('approval notifications', () => {
  it('links each CRM type to its page on the portal', () => {
    expect(crmItemPath(1, 3)).toBe('/crm/lead/details/3/');
    expect(crmItemPath(2, 15)).toBe('/crm/deal/details/15/');
    expect(crmItemPath(3, 4)).toBe('/crm/contact/details/4/');
    expect(crmItemPath(4, 5)).toBe('/crm/company/details/5/');
    expect(crmItemPath(1032, 7)).toBe('/crm/type/1032/details/7/');
    expect(portalOrigin('https://acme.bitrix24.com/rest/')).toBe('https://acme.bitrix24.com');
  });

  it('tells the approver what waits, on which item, from whom, with a BB-code link', () => {
    expect(approverNotification(row, o)).toEqual({
      message:
        'An approval is waiting for you: “Discount 15%” on [url=https://acme.bitrix24.com/crm/deal/details/15/]Deal #15[/url], requested by Ivan Admin.',
      messageOut:
        'An approval is waiting for you: “Discount 15%” on Deal #15 (https://acme.bitrix24.com/crm/deal/details/15/), requested by Ivan Admin.',
      tag: 'b24app|approval|a1|approver',
    });
    expect(approverNotification({ ...row, ownerTypeId: 1032, ownerId: 7 }, { ...o, lang: 'ru' }).message).toBe(
      'Ждёт вашего согласования: «Discount 15%» — [url=https://acme.bitrix24.com/crm/type/1032/details/7/]Элемент #7[/url], запросил(а) Ivan Admin.',
    );
  });

  it('tells the requester the decision, who made it and the comment, in the portal language', () => {
    const rejected = {
      ...row,
      state: 'REJECTED' as const,
      decidedById: 7,
      decidedByName: 'Anna',
      decisionComment: 'Too much',
    };
    expect(requesterNotification(rejected, o).message).toBe(
      'Your approval request “Discount 15%” on [url=https://acme.bitrix24.com/crm/deal/details/15/]Deal #15[/url] was rejected by Anna. Comment: Too much',
    );
    expect(
      requesterNotification({ ...rejected, state: 'APPROVED', decisionComment: null }, { ...o, lang: 'ru' }).message,
    ).toBe(
      'Ваш запрос на согласование «Discount 15%» ([url=https://acme.bitrix24.com/crm/deal/details/15/]Сделка #15[/url]) согласован: Anna.',
    );
    expect(requesterNotification(rejected, o).tag).toBe('b24app|approval|a1|requester');
  });

  it('keeps user text from opening BB-codes (no forged links)', () => {
    const forged = approverNotification({ ...row, title: '[url=https://evil.test]click[/url]' }, o).message;
    expect(forged).not.toContain('evil.test]');
    expect(forged.match(/\[url=/g)).toHaveLength(1);
  });
});
