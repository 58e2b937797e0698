import {
  type Layout,
  type LayoutIssue,
  SYSTEM_ICONS,
  SYSTEM_LOGOS,
  validateActivityFields,
  validateLayout,
} from '@b24app/layout';
import { dispatchEvent } from '../../events/event-dispatcher.js';
import { findCrmItem } from '../../portal/portal-service.js';
import type { ActivityFields, AppRecord, ConfigurableActivity, Portal } from '../../state/model.js';
import { releaseLocks } from '../../timeline/click-service.js';
import type { AuthContext, MethodCall, MethodDef } from '../method-types.js';
import { asInt, isRecord } from '../params.js';
import { RestError, restErrors } from '../rest-error.js';

// crm.activity.configurable.add / update / get (a D7 controller: every error is HTTP 400, first error only).
// Only an OAuth app may call them; only the creating app may update; an update releases the timeline locks.

const wrongContext = () =>
  new RestError('ERROR_WRONG_CONTEXT', 'Method call is only possible in the context of an application', 400);
const notFound = () => new RestError('NOT_FOUND', 'Not found.', 400);
const emptyLayout = () => new RestError('ERROR_EMPTY_LAYOUT', 'The layout field must be filled', 400);

function appContext(auth: AuthContext): AppRecord {
  if (auth.type !== 'oauth') throw wrongContext();
  return auth.app;
}

function issueError(issue: LayoutIssue | undefined, prefix: string): RestError {
  if (!issue) return new RestError('WRONG_FIELD_VALUE', 'Incorrect field value', 400);
  const path = [prefix, issue.path].filter(Boolean).join('.');
  return new RestError(issue.code, `${path ? `${path}: ` : ''}${issue.message}`, 400);
}

function wrongField(field: string, why: string): RestError {
  return new RestError('WRONG_FIELD_VALUE', `Incorrect value of field "${field}": ${why}`, 400);
}

/** Parses `fields` (all optional on update) and checks what only the portal knows: types, badges, users. */
function readFields(call: MethodCall, app: AppRecord, raw: unknown, base: ActivityFields | null): ActivityFields {
  if (!isRecord(raw)) throw wrongField('fields', 'must be an object');
  const parsed = validateActivityFields(raw);
  if (!parsed.ok) throw issueError(parsed.issues[0], 'fields');
  const v = parsed.value;
  const merged: ActivityFields = {
    typeId: v.typeId ?? base?.typeId ?? 'CONFIGURABLE',
    completed: v.completed ?? base?.completed ?? false,
    deadline: v.deadline === undefined ? (base?.deadline ?? null) : v.deadline || null,
    pingOffsets: v.pingOffsets ?? base?.pingOffsets ?? [],
    isIncomingChannel: v.isIncomingChannel ?? base?.isIncomingChannel ?? false,
    responsibleId: v.responsibleId ?? base?.responsibleId ?? call.auth.user.id,
    badgeCode: v.badgeCode ?? base?.badgeCode ?? '',
    originatorId: v.originatorId === undefined ? (base?.originatorId ?? null) : v.originatorId,
    originId: v.originId === undefined ? (base?.originId ?? null) : v.originId,
  };
  if (merged.isIncomingChannel && merged.deadline) {
    throw new RestError('INCOMING_ACTIVITY_CAN_NOT_BE_WITH_DEADLINE', 'Incoming activity cannot have a deadline', 400);
  }
  const portal = call.portal;
  if (merged.typeId !== 'CONFIGURABLE') {
    const type = portal.activityTypes.get(merged.typeId);
    if (!type || type.clientId !== app.clientId || !type.isConfigurable) {
      throw wrongField('typeId', `"${merged.typeId}" is not a configurable type of this application`);
    }
  }
  if (merged.badgeCode !== '' && !portal.badges.has(merged.badgeCode)) {
    throw wrongField('badgeCode', `badge "${merged.badgeCode}" is not registered`);
  }
  if (!portal.users.has(merged.responsibleId)) throw wrongField('responsibleId', `no user ${merged.responsibleId}`);
  return merged;
}

function readLayout(raw: unknown): Layout {
  if (raw === undefined || raw === null || raw === '' || (isRecord(raw) && Object.keys(raw).length === 0))
    throw emptyLayout();
  if (Array.isArray(raw) && raw.length === 0) throw emptyLayout();
  const parsed = validateLayout(raw, { knownIcons: SYSTEM_ICONS, knownLogos: SYSTEM_LOGOS });
  if (!parsed.ok) throw issueError(parsed.issues[0], 'layout');
  return parsed.value;
}

function requireId(params: Record<string, unknown>): number {
  if (params.id === undefined) throw restErrors.missingArgument('id');
  const id = asInt(params.id);
  if (id === null) throw notFound();
  return id;
}

function findActivity(portal: Portal, id: number): ConfigurableActivity {
  const a = portal.activities.get(id);
  if (!a) throw notFound();
  return a;
}

function activityEvent(call: MethodCall, event: string, id: number): void {
  void dispatchEvent(call.ctx, {
    memberId: call.portal.memberId,
    event,
    data: { FIELDS: { ID: String(id) } },
    actingUserId: call.auth.user.id,
  });
}

export const configurableActivityMethods: MethodDef[] = [
  {
    name: 'crm.activity.configurable.add',
    scopes: ['crm'],
    handler(call) {
      const { ctx, portal, params } = call;
      const app = appContext(call.auth);
      for (const name of ['ownerTypeId', 'ownerId', 'fields']) {
        if (params[name] === undefined) throw restErrors.missingArgument(name);
      }
      const ownerTypeId = asInt(params.ownerTypeId);
      const ownerId = asInt(params.ownerId);
      // an owner that does not exist fails the permission check, as on the portal
      if (ownerTypeId === null || ownerId === null || !findCrmItem(portal, ownerTypeId, ownerId))
        throw restErrors.accessDenied();
      if (params.layout === undefined) throw emptyLayout();
      const fields = readFields(call, app, params.fields, null);
      const layout = readLayout(params.layout);
      const now = ctx.now();
      const activity: ConfigurableActivity = {
        id: portal.nextActivityId++,
        ownerTypeId,
        ownerId,
        clientId: app.clientId,
        fields,
        layout,
        authorId: call.auth.user.id,
        editorId: call.auth.user.id,
        createdAt: now,
        updatedAt: now,
        updates: 0,
      };
      portal.activities.set(activity.id, activity);
      activityEvent(call, 'ONCRMACTIVITYADD', activity.id);
      return { result: { activity: { id: activity.id } } };
    },
  },
  {
    name: 'crm.activity.configurable.update',
    scopes: ['crm'],
    handler(call) {
      const { ctx, portal, params } = call;
      const app = appContext(call.auth);
      const activity = findActivity(portal, requireId(params));
      if (activity.clientId !== app.clientId) {
        throw new RestError(
          'ERROR_WRONG_APPLICATION',
          'The activity can only be updated by the application that created it',
          400,
        );
      }
      // the seed marks fields and layout required on update too; the switch keeps what is stored instead
      const partial = ctx.settings.partialConfigurableUpdate;
      if (params.fields === undefined && !partial) throw restErrors.missingArgument('fields');
      if (params.layout === undefined && !partial) throw emptyLayout();
      const fields =
        params.fields === undefined ? activity.fields : readFields(call, app, params.fields, activity.fields);
      const layout = params.layout === undefined ? activity.layout : readLayout(params.layout);
      activity.fields = fields;
      activity.layout = layout;
      activity.editorId = call.auth.user.id;
      activity.updatedAt = ctx.now();
      activity.updates++;
      releaseLocks(ctx, portal.memberId, activity.id, 'update');
      activityEvent(call, 'ONCRMACTIVITYUPDATE', activity.id);
      return { result: { activity: { id: activity.id } } };
    },
  },
  {
    name: 'crm.activity.configurable.get',
    scopes: ['crm'],
    handler(call) {
      appContext(call.auth);
      const a = findActivity(call.portal, requireId(call.params));
      return {
        result: {
          activity: {
            id: a.id,
            ownerTypeId: a.ownerTypeId,
            ownerId: a.ownerId,
            fields: { ...a.fields },
            layout: a.layout,
          },
        },
      };
    },
  },
];
