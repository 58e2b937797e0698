import { matchesFilter } from '../../crm/legacy-filter.js';
import { ENTITY_TYPE_NAMES, findCrmItem } from '../../portal/portal-service.js';
import { atomDate } from '../envelope.js';
import type { CrmEntityTypeId, CrmItem, CrmType } from '../../state/model.js';
import type { MethodDef } from '../method-types.js';
import { asInt, isRecord, param } from '../params.js';
import { RestError } from '../rest-error.js';

// A few CRM items to own activities: crm.{lead,deal,contact,company}.get/list (legacy rows) and crm.item.get/list
// (every type, smart processes included); the portal's smart processes with crm.type.list.

const PAGE = 50;

function legacyRow(i: CrmItem): Record<string, unknown> {
  const base = { ID: String(i.id), DATE_CREATE: atomDate(i.createdAt), ASSIGNED_BY_ID: '1' };
  return i.entityTypeId === 3 ? { ...base, NAME: i.title, LAST_NAME: '' } : { ...base, TITLE: i.title };
}

function itemView(i: CrmItem) {
  return {
    id: i.id,
    entityTypeId: i.entityTypeId,
    title: i.title,
    createdTime: atomDate(i.createdAt),
    assignedById: 1,
  };
}

function legacyMethods(entityTypeId: keyof typeof ENTITY_TYPE_NAMES): MethodDef[] {
  const name = ENTITY_TYPE_NAMES[entityTypeId];
  return [
    {
      name: `crm.${name}.get`,
      scopes: ['crm'],
      handler({ portal, params }) {
        const id = asInt(param(params, 'id'));
        if (id === null) throw new RestError('', 'ID is not defined or invalid.', 400);
        const item = findCrmItem(portal, entityTypeId, id);
        if (!item) throw new RestError('', 'Not found', 400);
        return { result: legacyRow(item) };
      },
    },
    {
      name: `crm.${name}.list`,
      scopes: ['crm'],
      handler({ portal, params }) {
        const filter = param(params, 'filter');
        const rows = [...portal.crmItems.values()]
          .filter((i) => i.entityTypeId === entityTypeId)
          .map(legacyRow)
          .filter((r) => !isRecord(filter) || matchesFilter(r, filter));
        const start = Math.max(0, asInt(param(params, 'start')) ?? 0);
        return {
          result: rows.slice(start, start + PAGE),
          total: rows.length,
          ...(start + PAGE < rows.length ? { next: start + PAGE } : {}),
        };
      },
    },
  ];
}

function typeView(t: CrmType) {
  return {
    id: t.id,
    title: t.title,
    code: '',
    createdBy: 1,
    entityTypeId: t.entityTypeId,
    customSectionId: null,
    isCategoriesEnabled: 'N',
    isStagesEnabled: 'Y',
    isClientEnabled: 'Y',
    isAutomationEnabled: 'Y',
    isBizProcEnabled: 'Y',
    createdTime: atomDate(t.createdAt),
    updatedTime: atomDate(t.createdAt),
    updatedBy: 1,
  };
}

export const crmItemMethods: MethodDef[] = [
  ...legacyMethods(1),
  ...legacyMethods(2),
  ...legacyMethods(3),
  ...legacyMethods(4),
  {
    name: 'crm.item.get',
    scopes: ['crm'],
    handler({ portal, params }) {
      const item = findCrmItem(portal, asInt(params.entityTypeId) ?? 0, asInt(params.id) ?? 0);
      if (!item) throw new RestError('NOT_FOUND', 'Element not found', 400);
      return { result: { item: itemView(item) } };
    },
  },
  {
    name: 'crm.item.list',
    scopes: ['crm'],
    handler({ portal, params }) {
      const typeId = asInt(params.entityTypeId);
      const items = [...portal.crmItems.values()].filter((i) => i.entityTypeId === typeId).map(itemView);
      const start = Math.max(0, asInt(params.start) ?? 0);
      return {
        result: { items: items.slice(start, start + PAGE) },
        total: items.length,
        ...(start + PAGE < items.length ? { next: start + PAGE } : {}),
      };
    },
  },
  {
    name: 'crm.type.list',
    scopes: ['crm'],
    handler({ portal, auth, params }) {
      // "any user with administrative access to the CRM section"
      if (!auth.user.admin) throw restErrorsAccess();
      const start = Math.max(0, asInt(param(params, 'start')) ?? 0);
      const types = portal.crmTypes.map(typeView);
      return {
        result: { types: types.slice(start, start + PAGE) },
        total: types.length,
        ...(start + PAGE < types.length ? { next: start + PAGE } : {}),
      };
    },
  },
];

function restErrorsAccess(): RestError {
  return new RestError('ACCESS_DENIED', 'Access denied', 400);
}
