import { activityRow } from '../../crm/activity-row.js';
import { matchesFilter } from '../../crm/legacy-filter.js';
import { dispatchEvent } from '../../events/event-dispatcher.js';
import { releaseLocks } from '../../timeline/click-service.js';
import type { MethodDef } from '../method-types.js';
import { asInt, isRecord, param } from '../params.js';
import { RestError } from '../rest-error.js';

// crm.activity.list / crm.activity.delete (legacy methods: UPPER_CASE rows, pages of 50, errors with an empty code
// as the docs show them). Only configurable activities exist on the emulated portal.

const PAGE = 50;

function orderBy(order: unknown): { field: string; desc: boolean } {
  if (isRecord(order)) {
    const [field, dir] = Object.entries(order)[0] ?? ['ID', 'ASC'];
    return { field: field.toUpperCase(), desc: String(dir).toUpperCase() === 'DESC' };
  }
  return { field: 'ID', desc: false };
}

function select(row: Record<string, unknown>, fields: unknown): Record<string, unknown> {
  if (!Array.isArray(fields) || fields.length === 0 || fields.includes('*')) return row;
  const wanted = new Set(['ID', ...fields.map((f) => String(f).toUpperCase())]);
  return Object.fromEntries(Object.entries(row).filter(([k]) => wanted.has(k)));
}

export const activityMethods: MethodDef[] = [
  {
    name: 'crm.activity.list',
    scopes: ['crm'],
    handler({ portal, params }) {
      const filter = param(params, 'filter');
      const { field, desc } = orderBy(param(params, 'order'));
      const rows = [...portal.activities.values()]
        .map((a) => activityRow(a, portal.lang))
        .filter((r) => !isRecord(filter) || matchesFilter(r, filter))
        .sort((a, b) => {
          const x = a[field];
          const y = b[field];
          const cmp =
            !Number.isNaN(Number(x)) && !Number.isNaN(Number(y))
              ? Number(x) - Number(y)
              : String(x).localeCompare(String(y));
          return desc ? -cmp : cmp;
        });
      const startRaw = asInt(param(params, 'start')) ?? 0;
      // start=-1 skips counting: no total, no next
      const start = Math.max(0, startRaw);
      const page = rows.slice(start, start + PAGE).map((r) => select(r, param(params, 'select')));
      if (startRaw === -1) return { result: page };
      return { result: page, total: rows.length, ...(start + PAGE < rows.length ? { next: start + PAGE } : {}) };
    },
  },
  {
    name: 'crm.activity.delete',
    scopes: ['crm'],
    handler({ ctx, portal, params, auth }) {
      const id = asInt(param(params, 'id'));
      const activity = id === null ? undefined : portal.activities.get(id);
      if (!activity || id === null) throw new RestError('', 'Activity is not found.', 400);
      // configurable activities belong to an app: a webhook cannot delete them
      if (auth.type !== 'oauth') throw new RestError('', 'Application context required', 400);
      portal.activities.delete(id);
      releaseLocks(ctx, portal.memberId, id, 'delete');
      void dispatchEvent(ctx, {
        memberId: portal.memberId,
        event: 'ONCRMACTIVITYDELETE',
        data: { FIELDS: { ID: String(id) } },
        actingUserId: auth.user.id,
      });
      return { result: true };
    },
  },
];
