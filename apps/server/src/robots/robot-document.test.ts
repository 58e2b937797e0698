import { describe, expect, it } from 'vitest';
import { crmOwnerOfDocument } from './robot-document.js';

const DYNAMIC = 'Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic';

describe('crmOwnerOfDocument', () => {
  it('maps leads, deals, contacts and companies to their entity type', () => {
    expect(crmOwnerOfDocument(['crm', 'CCrmDocumentLead', 'LEAD_7'])).toEqual({ ownerTypeId: 1, ownerId: 7 });
    expect(crmOwnerOfDocument(['crm', 'CCrmDocumentDeal', 'DEAL_15'])).toEqual({ ownerTypeId: 2, ownerId: 15 });
    expect(crmOwnerOfDocument(['crm', 'CCrmDocumentContact', 'CONTACT_3'])).toEqual({ ownerTypeId: 3, ownerId: 3 });
    expect(crmOwnerOfDocument(['crm', 'CCrmDocumentCompany', 'COMPANY_777'])).toEqual({ ownerTypeId: 4, ownerId: 777 });
    // PHP class names are case-insensitive
    expect(crmOwnerOfDocument(['crm', 'ccrmdocumentdeal', 'DEAL_1'])).toEqual({ ownerTypeId: 2, ownerId: 1 });
  });

  it('maps smart-process items to their dynamic type', () => {
    expect(crmOwnerOfDocument(['crm', DYNAMIC, 'DYNAMIC_128_5'])).toEqual({ ownerTypeId: 128, ownerId: 5 });
    expect(crmOwnerOfDocument(['crm', DYNAMIC, 'DYNAMIC_1032_44'])).toEqual({ ownerTypeId: 1032, ownerId: 44 });
    expect(crmOwnerOfDocument(['crm', `\\${DYNAMIC}`, 'DYNAMIC_191_1'])).toEqual({ ownerTypeId: 191, ownerId: 1 });
  });

  it('refuses documents that are not a CRM item it can own an activity on', () => {
    for (const doc of [
      ['crm', 'CCrmDocumentDeal', 'LEAD_15'], // class and id disagree
      ['crm', 'CCrmDocumentDeal', 'DEAL_'],
      ['crm', 'CCrmDocumentDeal', 'DEAL_0'],
      ['crm', 'CCrmDocumentDeal', 'DEAL_2147483648'], // beyond our integer columns
      ['crm', 'CCrmDocumentDeal', 'DEAL_15x'],
      ['crm', 'CCrmDocumentDeal'],
      ['crm', 'CCrmDocumentDeal', 'DEAL_15', 'extra'],
      ['lists', 'BizprocDocument', '777'],
      ['disk', 'Bitrix\\Disk\\BizProcDocument', '777'],
      ['crm', 'Bitrix\\Crm\\Integration\\BizProc\\Document\\Quote', 'QUOTE_7'],
      ['crm', DYNAMIC, 'DYNAMIC_5_1'], // 5 is no smart-process type
      ['crm', DYNAMIC, 'DYNAMIC_200_1'],
      ['crm', DYNAMIC, 'DYNAMIC_128'],
    ]) {
      expect(crmOwnerOfDocument(doc), JSON.stringify(doc)).toBeNull();
    }
  });
});
