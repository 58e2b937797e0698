import { atomDate } from '../envelope.js';
import type { MethodDef } from '../method-types.js';
import { isRecord, param } from '../params.js';
import type { User } from '../../state/model.js';

// user.current, user.get, user.search, user.admin, profile: the legacy UPPER_CASE user records.

const USER_SCOPES = ['user', 'user_brief', 'user_basic'];
const PAGE = 50;
const REGISTERED = atomDate(Date.UTC(2024, 0, 1));

export function userRecord(u: User): Record<string, unknown> {
  return {
    ID: String(u.id),
    XML_ID: null,
    ACTIVE: true,
    NAME: u.name,
    LAST_NAME: u.lastName,
    SECOND_NAME: '',
    EMAIL: u.email,
    LAST_LOGIN: REGISTERED,
    DATE_REGISTER: REGISTERED,
    IS_ONLINE: 'N',
    TIME_ZONE_OFFSET: '0',
    PERSONAL_GENDER: '',
    PERSONAL_BIRTHDAY: '',
    UF_EMPLOYMENT_DATE: '',
    UF_DEPARTMENT: [1],
    USER_TYPE: 'employee',
  };
}

function matches(u: User, filter: Record<string, unknown>): boolean {
  const rec = userRecord(u);
  for (const [rawKey, expected] of Object.entries(filter)) {
    const key = rawKey.replace(/^[=!%<>]+/, '').toUpperCase();
    if (!(key in rec)) continue;
    const actual = rec[key];
    const values = Array.isArray(expected) ? expected.map(String) : [String(expected)];
    const hit = key === 'ACTIVE' ? values.some((v) => ['Y', 'true', '1'].includes(v)) : values.includes(String(actual));
    if (rawKey.startsWith('!') ? hit : !hit) return false;
  }
  return true;
}

/**
 * user.search's FILTER: FIND is a beginning-of-word search over the name parts (the emulated users have no
 * position or department); NAME, LAST_NAME, SECOND_NAME are beginning-of-string searches; the rest as user.get.
 */
function searchMatches(u: User, filter: Record<string, unknown>): boolean {
  const starts = (value: string, text: unknown) =>
    typeof text !== 'string' || value.toLowerCase().startsWith(text.trim().toLowerCase());
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(filter)) {
    const key = k.toUpperCase();
    if (key === 'FIND') {
      const words = `${u.name} ${u.lastName}`.split(/\s+/).filter(Boolean);
      const text = String(v ?? '').trim();
      if (text && !words.some((w) => starts(w, text)) && !starts(`${u.name} ${u.lastName}`, text)) return false;
    } else if (key === 'NAME') {
      if (!starts(u.name, v)) return false;
    } else if (key === 'LAST_NAME') {
      if (!starts(u.lastName, v)) return false;
    } else if (key === 'SECOND_NAME') {
      if (!starts('', v)) return false;
    } else rest[k] = v;
  }
  return matches(u, rest);
}

function page(all: User[], params: Record<string, unknown>) {
  const start = Math.max(0, Number(param(params, 'start') ?? 0) || 0);
  const rows = all.slice(start, start + PAGE).map(userRecord);
  return { result: rows, total: all.length, ...(start + PAGE < all.length ? { next: start + PAGE } : {}) };
}

export const userMethods: MethodDef[] = [
  {
    name: 'user.current',
    scopes: USER_SCOPES,
    handler: ({ auth }) => ({ result: userRecord(auth.user) }),
  },
  {
    name: 'user.get',
    scopes: USER_SCOPES,
    handler({ portal, params }) {
      // filter fields may come at the top level (user.get?ID=1) or under FILTER
      const filterParam = param(params, 'FILTER');
      const filter: Record<string, unknown> = isRecord(filterParam) ? { ...filterParam } : {};
      for (const [k, v] of Object.entries(params)) {
        if (!['filter', 'sort', 'order', 'start', 'admin_mode'].includes(k.toLowerCase())) filter[k] = v;
      }
      const desc = String(param(params, 'ORDER') ?? 'ASC').toUpperCase() === 'DESC';
      const all = [...portal.users.values()]
        .filter((u) => matches(u, filter))
        .sort((a, b) => (desc ? b.id - a.id : a.id - b.id));
      return page(all, params);
    },
  },
  {
    name: 'user.search',
    scopes: USER_SCOPES,
    handler({ portal, params }) {
      const filterParam = param(params, 'FILTER');
      const filter: Record<string, unknown> = isRecord(filterParam) ? { ...filterParam } : {};
      const desc = String(param(params, 'ORDER') ?? 'ASC').toUpperCase() === 'DESC';
      const all = [...portal.users.values()]
        .filter((u) => searchMatches(u, filter))
        .sort((a, b) => (desc ? b.id - a.id : a.id - b.id));
      return page(all, params);
    },
  },
  {
    name: 'user.admin',
    scopes: null,
    handler: ({ auth }) => ({ result: auth.user.admin }),
  },
  {
    name: 'profile',
    scopes: null,
    handler: ({ auth }) => ({
      result: {
        ID: String(auth.user.id),
        ADMIN: auth.user.admin,
        NAME: auth.user.name,
        LAST_NAME: auth.user.lastName,
        PERSONAL_GENDER: '',
        PERSONAL_PHOTO: '',
        TIME_ZONE: '',
        TIME_ZONE_OFFSET: 0,
      },
    }),
  },
];
