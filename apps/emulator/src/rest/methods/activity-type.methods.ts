import type { AuthContext, MethodDef } from '../method-types.js';
import { asBool, asString, isRecord, param } from '../params.js';
import { RestError } from '../rest-error.js';

// crm.activity.type.add / list / delete: custom activity types of an app (admin, app context; legacy errors).

function adminApp(auth: AuthContext, needAdmin: boolean) {
  if (auth.type !== 'oauth') throw new RestError('ACCESS_DENIED', 'Access denied! Application context required', 403);
  if (needAdmin && !auth.user.admin) throw new RestError('ACCESS_DENIED', 'Admin permissions required', 403);
  return auth.app;
}

const invalidArg = (what: string) => new RestError('INVALID_ARG_VALUE', what, 400);

export const activityTypeMethods: MethodDef[] = [
  {
    name: 'crm.activity.type.add',
    scopes: ['crm'],
    handler({ portal, auth, params }) {
      const app = adminApp(auth, true);
      const fields = param(params, 'fields');
      if (!isRecord(fields)) throw invalidArg('Invalid value of "fields"');
      const typeId = (asString(param(fields, 'TYPE_ID')) ?? '').trim();
      if (!typeId) throw invalidArg('TYPE_ID is not defined');
      if (portal.activityTypes.has(typeId)) throw invalidArg(`Type "${typeId}" already exists`);
      const name = (asString(param(fields, 'NAME')) ?? '').trim();
      if (!name) throw invalidArg('NAME is not defined');
      portal.activityTypes.set(typeId, {
        typeId,
        name,
        clientId: app.clientId,
        isConfigurable: asBool(param(fields, 'IS_CONFIGURABLE_TYPE')) === true,
      });
      return { result: true };
    },
  },
  {
    name: 'crm.activity.type.list',
    scopes: ['crm'],
    handler({ portal, auth }) {
      const app = adminApp(auth, false);
      const rows = [...portal.activityTypes.values()]
        .filter((t) => t.clientId === app.clientId)
        .map((t) => ({
          TYPE_ID: t.typeId,
          NAME: t.name,
          IS_CONFIGURABLE_TYPE: t.isConfigurable ? 'Y' : 'N',
          ICON_ID: '0',
        }));
      return { result: rows };
    },
  },
  {
    name: 'crm.activity.type.delete',
    scopes: ['crm'],
    handler({ portal, auth, params }) {
      const app = adminApp(auth, true);
      const typeId = asString(param(params, 'TYPE_ID')) ?? '';
      const type = portal.activityTypes.get(typeId);
      if (!type || type.clientId !== app.clientId) throw invalidArg(`Type "${typeId}" is not found`);
      portal.activityTypes.delete(typeId);
      return { result: true };
    },
  },
];
