import { randomBytes } from 'node:crypto';
import { ControlError, controlErrors } from '../control/control-error.js';
import { type EmulatorContext, track } from '../emulator-context.js';
import { deliver } from '../events/event-dispatcher.js';
import { userAuth } from '../events/event-payload.js';
import { findCrmItem } from '../portal/portal-service.js';
import type { CrmEntityTypeId, DeliveryLogEntry, Portal, RobotRun } from '../state/model.js';
import { robotAppliesTo, robotKey } from './robot-registry.js';

// Runs an installed robot on a CRM item as the automation does: a form-encoded POST to its handler with
// workflow_id, code, document_id[], document_type[], event_token, properties[…], use_subscription,
// timeout_duration, ts and auth[…] (tokens of AUTH_USER_ID), then waits for bizproc.event.send when subscribed.

const DYNAMIC_DOCUMENT = 'Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic';

/**
 * The bizproc document of a CRM item: ['crm', class, '<TYPE>_<id>'] for leads, deals, contacts and companies
 * (CCrmDocument* classes), ['crm', 'Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic', 'DYNAMIC_<typeId>_<id>'] for
 * smart-process items (the bizproc.robot.add and bizproc.workflow.start docs).
 */
export function crmDocument(
  entityTypeId: CrmEntityTypeId,
  id: number,
): { documentId: [string, string, string]; documentType: [string, string, string] } {
  const legacy: Record<number, [string, string]> = {
    1: ['CCrmDocumentLead', 'LEAD'],
    2: ['CCrmDocumentDeal', 'DEAL'],
    3: ['CCrmDocumentContact', 'CONTACT'],
    4: ['CCrmDocumentCompany', 'COMPANY'],
  };
  const [cls, type] = legacy[entityTypeId] ?? [DYNAMIC_DOCUMENT, `DYNAMIC_${entityTypeId}`];
  return { documentId: ['crm', cls, `${type}_${id}`], documentType: ['crm', cls, type] };
}

export const ROBOT_DELIVERY_EVENT = 'BIZPROC_ROBOT';

export interface RunRobotInput {
  clientId: string;
  code: string;
  entityTypeId: CrmEntityTypeId;
  entityId: number;
  /** values by property key (user properties as `user_<id>`); defaults fill the rest */
  properties?: Record<string, unknown>;
  /** whose tokens go in auth[] when the robot has no AUTH_USER_ID (default the admin, 1) */
  userId?: number;
}

function uniqid(nowMs: number): string {
  const hex = Math.floor(nowMs / 1000).toString(16) + randomBytes(3).toString('hex');
  return `${hex}.${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}

function robotAuth(ctx: EmulatorContext, portal: Portal, clientId: string, userId: number): Record<string, string> {
  const app = ctx.state.apps.get(clientId);
  const installation = ctx.state.installation(portal.memberId, clientId);
  if (!app || !installation) throw controlErrors.notInstalled();
  return userAuth(ctx, { portal, app, installation, userId, withRefreshToken: false });
}

export interface StartedRun {
  run: RobotRun;
  delivery: Promise<DeliveryLogEntry>;
}

export function runRobot(ctx: EmulatorContext, portal: Portal, input: RunRobotInput): StartedRun {
  const robot = portal.robots.get(robotKey(input.clientId, input.code));
  if (!robot) throw new ControlError('ROBOT_NOT_FOUND', `No robot ${input.code} of ${input.clientId}`, 404);
  if (ctx.state.installation(portal.memberId, input.clientId)?.installed !== true) throw controlErrors.notInstalled();
  const item = findCrmItem(portal, input.entityTypeId, input.entityId);
  if (!item) throw new ControlError('CRM_ITEM_NOT_FOUND', `No CRM item ${input.entityTypeId}:${input.entityId}`, 404);
  const doc = crmDocument(input.entityTypeId, item.id);
  if (!robotAppliesTo(robot, doc.documentType)) {
    throw new ControlError(
      'ROBOT_NOT_APPLICABLE',
      `${input.code} is not offered for ${doc.documentType[2]} (FILTER)`,
      400,
    );
  }
  const userId = robot.authUserId ?? input.userId ?? 1;
  if (!portal.users.has(userId)) throw controlErrors.userNotFound(userId);

  const properties: Record<string, unknown> = {};
  for (const [key, p] of Object.entries(robot.properties)) {
    const value = input.properties?.[key] ?? p.default;
    if (value === undefined || value === '') {
      if (p.required) throw new ControlError('INVALID_INPUT', `property ${key} is required`, 400);
      continue;
    }
    properties[key] = value;
  }
  const workflowId = uniqid(ctx.now());
  const activityName = `A${randomBytes(9).toString('hex').slice(0, 5)}_${Math.floor(Math.random() * 1e5)}`;
  const run: RobotRun = {
    id: portal.nextRobotRunId++,
    memberId: portal.memberId,
    clientId: robot.clientId,
    code: robot.code,
    documentId: doc.documentId,
    documentType: doc.documentType,
    eventToken: `${workflowId}|${activityName}|${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('hex')}`,
    properties,
    state: 'running',
    startedAt: ctx.now(),
    deliveryStatus: null,
    returnValues: null,
    logMessage: null,
    sends: [],
    completedAt: null,
  };
  portal.robotRuns.set(run.id, run);

  const payload: Record<string, unknown> = {
    workflow_id: workflowId,
    code: robot.code,
    document_id: run.documentId,
    document_type: run.documentType,
    event_token: run.eventToken,
    properties,
    use_subscription: robot.useSubscription ? 'Y' : 'N',
    timeout_duration: '0',
    ts: String(Math.floor(ctx.now() / 1000)),
    auth: robotAuth(ctx, portal, robot.clientId, userId),
  };
  const target = { id: 0, memberId: portal.memberId, clientId: robot.clientId, handler: robot.handler };
  const delivery = track(
    ctx,
    deliver(ctx, { binding: target, payload }, ROBOT_DELIVERY_EVENT).then((entry) => {
      run.deliveryStatus = entry.status;
      // an unsubscribed robot does not wait: the automation moves on at once
      if (!robot.useSubscription && run.state === 'running') {
        run.state = 'completed';
        run.completedAt = ctx.now();
      }
      return entry;
    }),
  );
  return { run, delivery };
}

/** The automation gave up on the run (its wait timed out) or someone stopped it: its token is refused from now on. */
export function endRun(portal: Portal, id: number, as: 'timed_out' | 'stopped', now: number): RobotRun {
  const run = portal.robotRuns.get(id);
  if (!run) throw new ControlError('ROBOT_RUN_NOT_FOUND', `No robot run ${id}`, 404);
  if (run.state === 'running') {
    run.state = as;
    run.completedAt = now;
  }
  return run;
}
