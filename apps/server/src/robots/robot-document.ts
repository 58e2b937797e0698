/**
 * The CRM item a bizproc document names: `document_id` of a robot run (['crm', 'CCrmDocumentDeal', 'DEAL_15'])
 * → the `ownerTypeId`/`ownerId` of crm.activity.configurable.add. Leads 1, deals 2, contacts 3, companies 4
 * (CCrmDocument* classes, '<TYPE>_<id>'), smart-process items their dynamic type
 * ('Bitrix\Crm\Integration\BizProc\Document\Dynamic', 'DYNAMIC_<typeId>_<id>'). Anything else is null.
 */
export interface CrmOwner {
  ownerTypeId: number;
  ownerId: number;
}

const INT4_MAX = 2_147_483_647;

const LEGACY: Record<string, { type: string; ownerTypeId: number }> = {
  ccrmdocumentlead: { type: 'LEAD', ownerTypeId: 1 },
  ccrmdocumentdeal: { type: 'DEAL', ownerTypeId: 2 },
  ccrmdocumentcontact: { type: 'CONTACT', ownerTypeId: 3 },
  ccrmdocumentcompany: { type: 'COMPANY', ownerTypeId: 4 },
};

/** PHP class names are case-insensitive, with or without the leading namespace separator. */
const DYNAMIC_CLASS = 'bitrix\\crm\\integration\\bizproc\\document\\dynamic';

/** A smart process's entityTypeId (Bitrix24's CCrmOwnerType::isPossibleDynamicTypeId). */
const isDynamicType = (id: number): boolean => (id >= 128 && id < 192) || (id >= 1030 && id <= INT4_MAX);

const positiveId = (s: string | undefined): number | null => {
  if (s === undefined || !/^\d{1,10}$/.test(s)) return null;
  const n = Number(s);
  return n > 0 && n <= INT4_MAX ? n : null;
};

export function crmOwnerOfDocument(documentId: readonly string[]): CrmOwner | null {
  if (documentId.length !== 3 || documentId[0]?.toLowerCase() !== 'crm') return null;
  const cls = (documentId[1] ?? '').replace(/^\\/, '').toLowerCase();
  const id = documentId[2] ?? '';
  const legacy = LEGACY[cls];
  if (legacy) {
    const m = new RegExp(`^${legacy.type}_(\\d+)$`).exec(id);
    const ownerId = positiveId(m?.[1]);
    return ownerId === null ? null : { ownerTypeId: legacy.ownerTypeId, ownerId };
  }
  if (cls === DYNAMIC_CLASS) {
    const m = /^DYNAMIC_(\d+)_(\d+)$/.exec(id);
    const ownerTypeId = positiveId(m?.[1]);
    const ownerId = positiveId(m?.[2]);
    if (ownerTypeId === null || ownerId === null || !isDynamicType(ownerTypeId)) return null;
    return { ownerTypeId, ownerId };
  }
  return null;
}
