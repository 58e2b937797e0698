import { checkHandlerUrl } from '../../events/handler-url.js';
import type { AppRecord, PlacementBinding } from '../../state/model.js';
import type { AuthContext, MethodDef } from '../method-types.js';
import { asString, isRecord, param } from '../params.js';
import { RestError } from '../rest-error.js';

// placement.bind / placement.get / placement.unbind: an app's widget handlers, as the rest module's Api\Placement
// does it: application context, administrators only (get included), the placement must be offered by a scope the
// app has (the CRM ones by `crm`), DEFAULT cannot be bound, the handler passes HandlerHelper::checkCallback on the
// app's own host, and a second bind of the same (placement, handler) is the table's "Handler already binded".

function app(auth: AuthContext): AppRecord {
  if (auth.type !== 'oauth')
    throw new RestError('WRONG_AUTH_TYPE', 'Current authorization type is denied for this method', 403);
  return auth.app;
}

function admin(auth: AuthContext): AppRecord {
  const a = app(auth);
  if (!auth.user.admin) throw new RestError('ACCESS_DENIED', 'Access denied! Admin permissions required', 403);
  return a;
}

function argument(name: string): RestError {
  return new RestError('ERROR_ARGUMENT', `Argument '${name}' is null or empty`, 400, { argument: name });
}

/** PLACEMENT (required, upper-cased) and HANDLER ('' when absent) of bind and unbind. */
function readTarget(params: Record<string, unknown>): { placement: string; handler: string } {
  const placement = (asString(param(params, 'PLACEMENT')) ?? '').trim().toUpperCase();
  if (!placement) throw argument('PLACEMENT');
  return { placement, handler: (asString(param(params, 'HANDLER')) ?? '').trim() };
}

const CRM_PLACEMENT =
  /^CRM_(LEAD|DEAL|CONTACT|COMPANY|QUOTE|SMART_INVOICE|DYNAMIC_\d+)_(DETAIL_ACTIVITY|DETAIL_TAB|DETAIL_TOOLBAR|LIST_MENU|LIST_TOOLBAR|ACTIVITY_TIMELINE_MENU)$|^CRM_ANALYTICS_MENU$/;

/** Whether a scope the app has offers the placement: the CRM ones come with `crm`, LEFT_MENU with any app. */
function offered(code: string, app: AppRecord): boolean {
  const scopes = app.scope.split(',').map((s) => s.trim());
  if (CRM_PLACEMENT.test(code)) return scopes.includes('crm');
  return code === 'LEFT_MENU';
}

/** checkCallback: a valid http(s) URL on the host the app lives on. */
function checkHandler(handler: string, app: AppRecord): void {
  checkHandlerUrl(handler);
  if (new URL(handler).hostname !== new URL(app.installUrl).hostname) {
    throw new RestError('ERROR_WRONG_HANDLER_URL', 'Wrong handler URL', 400);
  }
}

function view(p: PlacementBinding) {
  return {
    placement: p.placement,
    userId: 0,
    handler: p.handler,
    options: p.options,
    title: p.title,
    description: p.description,
    groupName: p.groupName,
    langAll: p.langAll,
  };
}

export const placementMethods: MethodDef[] = [
  {
    name: 'placement.bind',
    scopes: ['placement'],
    handler({ portal, auth, params }) {
      const a = admin(auth);
      const { placement, handler } = readTarget(params);
      if (placement === 'DEFAULT') {
        throw new RestError('ERROR_ARGUMENT', 'Wrong value', 400, { argument: 'PLACEMENT' });
      }
      if (!handler) throw argument('HANDLER');
      checkHandler(handler, a);
      if (!offered(placement, a)) throw new RestError('ERROR_PLACEMENT_NOT_FOUND', 'Placement not found', 400);
      if (
        portal.placements.some((p) => p.clientId === a.clientId && p.placement === placement && p.handler === handler)
      )
        throw new RestError('ERROR_CORE', 'Unable to set placement handler: Handler already binded', 400);
      const langAll = param(params, 'LANG_ALL');
      const options = param(params, 'OPTIONS');
      portal.placements.push({
        id: portal.nextPlacementId++,
        clientId: a.clientId,
        placement,
        handler,
        title: asString(param(params, 'TITLE')) ?? '',
        description: asString(param(params, 'DESCRIPTION')) ?? '',
        groupName: asString(param(params, 'GROUP_NAME')) ?? '',
        langAll: isRecord(langAll) ? langAll : {},
        options: isRecord(options) ? options : {},
        boundBy: auth.user.id,
      });
      return { result: true };
    },
  },
  {
    name: 'placement.get',
    scopes: ['placement'],
    handler({ portal, auth }) {
      const a = admin(auth);
      return { result: portal.placements.filter((p) => p.clientId === a.clientId).map(view) };
    },
  },
  {
    name: 'placement.unbind',
    scopes: ['placement'],
    handler({ portal, auth, params }) {
      const a = admin(auth);
      const { placement, handler } = readTarget(params);
      const gone = (p: PlacementBinding) =>
        p.clientId === a.clientId && p.placement === placement && (handler === '' || p.handler === handler);
      const count = portal.placements.filter(gone).length;
      portal.placements = portal.placements.filter((p) => !gone(p));
      return { result: { count } };
    },
  },
];
