import { eventAvailable, EVENT_SCOPES } from '../../events/event-catalog.js';
import { dispatchEvent } from '../../events/event-dispatcher.js';
import { checkHandlerUrl } from '../../events/handler-url.js';
import type { EventBinding } from '../../state/model.js';
import type { AuthContext, MethodCall, MethodDef } from '../method-types.js';
import { requireApp } from '../method-types.js';
import { asInt, asString, param } from '../params.js';
import { RestError, restErrors } from '../rest-error.js';

// event.bind / event.unbind / event.get / events / event.test: app auth only (webhooks get WRONG_AUTH_TYPE).

function appOf(auth: AuthContext) {
  return requireApp(auth, restErrors.wrongAuthType);
}

function argumentError(name: string): RestError {
  return new RestError('ERROR_ARGUMENT', `Argument '${name}' is null or empty`, 400, { argument: name });
}

function scopesOf(scope: string): string[] {
  return scope.split(/[,\s]+/).filter(Boolean);
}

interface BindInput {
  event: string;
  handler: string;
  offline: boolean;
  authType: number;
  connector: string;
}

function readBindInput(call: MethodCall, forUnbind: boolean): BindInput {
  const { app } = appOf(call.auth);
  const event = (asString(param(call.params, 'event')) ?? '').trim().toUpperCase();
  if (!event || !eventAvailable(event, scopesOf(app.scope))) {
    throw new RestError('ERROR_EVENT_NOT_FOUND', 'Event not found', 400);
  }
  const eventType = (asString(param(call.params, 'event_type')) ?? 'online').toLowerCase() || 'online';
  if (eventType !== 'online' && eventType !== 'offline') {
    throw new RestError('ERROR_ARGUMENT', "Argument 'EVENT_TYPE' is invalid", 400, { argument: 'EVENT_TYPE' });
  }
  const offline = eventType === 'offline';
  const handler = (asString(param(call.params, 'handler')) ?? '').trim();
  if (!offline) {
    if (!handler) throw argumentError('HANDLER');
    if (!forUnbind) checkHandlerUrl(handler);
  }
  const authTypeRaw = param(call.params, 'auth_type');
  const authType = authTypeRaw === undefined || authTypeRaw === '' ? 0 : (asInt(authTypeRaw) ?? 0);
  return {
    event,
    handler: offline ? '' : handler,
    offline,
    authType,
    connector: asString(param(call.params, 'auth_connector')) ?? '',
  };
}

function sameBinding(b: EventBinding, memberId: string, clientId: string, input: BindInput): boolean {
  return (
    b.memberId === memberId &&
    b.clientId === clientId &&
    b.event === input.event &&
    b.handler === input.handler &&
    b.authType === input.authType &&
    b.offline === input.offline &&
    b.connector === input.connector
  );
}

export const eventMethods: MethodDef[] = [
  {
    name: 'event.bind',
    scopes: null,
    handler(call) {
      const { ctx, portal, auth } = call;
      const { app } = appOf(auth);
      const input = readBindInput(call, false);
      if (input.offline && !auth.user.admin) {
        throw new RestError(
          'ACCESS_DENIED',
          'Access denied! Offline events binding requires administrator access rights',
          403,
        );
      }
      if (input.authType > 0 && input.authType !== auth.user.id && !auth.user.admin) {
        throw new RestError(
          'ACCESS_DENIED',
          'Access denied! Event binding with AUTH_TYPE requires administrator access rights',
          403,
        );
      }
      if (ctx.state.bindings.some((b) => sameBinding(b, portal.memberId, app.clientId, input))) {
        throw ctx.settings.duplicateBindError === 'ERROR_CORE'
          ? new RestError('ERROR_CORE', 'Unable to set event handler: Handler already binded', 400)
          : new RestError('ERROR_HANDLER_ALREADY_EXIST', 'Handler already exists!', 400);
      }
      ctx.state.bindings.push({
        id: ++ctx.state.seq.binding,
        memberId: portal.memberId,
        clientId: app.clientId,
        ...input,
        boundBy: auth.user.id,
      });
      return { result: true };
    },
  },
  {
    name: 'event.unbind',
    scopes: null,
    handler(call) {
      const { ctx, portal, auth } = call;
      const { app } = appOf(auth);
      const input = readBindInput(call, true);
      const before = ctx.state.bindings.length;
      ctx.state.bindings = ctx.state.bindings.filter((b) => !sameBinding(b, portal.memberId, app.clientId, input));
      return { result: { count: before - ctx.state.bindings.length } };
    },
  },
  {
    name: 'event.get',
    scopes: null,
    handler({ ctx, portal, auth }) {
      const { app } = appOf(auth);
      const rows = ctx.state.bindings
        .filter((b) => b.memberId === portal.memberId && b.clientId === app.clientId)
        .filter((b) => auth.user.admin || b.boundBy === auth.user.id)
        .map((b) =>
          b.offline
            ? { event: b.event, connector_id: b.connector, offline: 1 }
            : { event: b.event, handler: b.handler, auth_type: String(b.authType), offline: 0 },
        );
      return { result: rows };
    },
  },
  {
    name: 'events',
    scopes: null,
    handler({ auth }) {
      const { app } = appOf(auth);
      const scopes = scopesOf(app.scope);
      return { result: [...EVENT_SCOPES.keys()].filter((e) => eventAvailable(e, scopes)) };
    },
  },
  {
    name: 'event.test',
    scopes: null,
    handler({ ctx, portal, auth, params }) {
      const { app } = appOf(auth);
      void dispatchEvent(ctx, {
        memberId: portal.memberId,
        event: 'ONAPPTEST',
        data: { QUERY: params, LANGUAGE_ID: portal.lang },
        actingUserId: auth.user.id,
        onlyClientId: app.clientId,
      });
      return { result: 1 };
    },
  },
];
