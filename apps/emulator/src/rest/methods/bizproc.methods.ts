import { readCode, readRobot, robotErrors, robotKey, robotsOf } from '../../bizproc/robot-registry.js';
import type { AppRecord } from '../../state/model.js';
import type { AuthContext, MethodDef } from '../method-types.js';
import { asString, isRecord, param } from '../params.js';
import { RestError } from '../rest-error.js';

// bizproc.robot.add / list / update / delete (administrators, app context) and bizproc.event.send (any user),
// the automation rules of CRM. Errors are the bizproc REST service's: HTTP 400 with its codes and messages.

function adminApp(auth: AuthContext): AppRecord {
  if (auth.type !== 'oauth') throw robotErrors.appContext();
  if (!auth.user.admin) throw robotErrors.notAdmin();
  return auth.app;
}

/** An invalid, finished, timed-out or stopped run's token: "the method will return an access error". */
const tokenRefused = () => new RestError('ACCESS_DENIED', 'Access denied!', 400);

export const bizprocMethods: MethodDef[] = [
  {
    name: 'bizproc.robot.add',
    scopes: ['bizproc'],
    handler({ ctx, portal, auth, params }) {
      const app = adminApp(auth);
      if (Object.keys(params).length === 0) throw robotErrors.validation('Empty data!');
      const code = readCode(params);
      if (portal.robots.has(robotKey(app.clientId, code))) throw robotErrors.alreadyInstalled();
      portal.robots.set(robotKey(app.clientId, code), readRobot(params, app, code, ctx.now()));
      return { result: true };
    },
  },
  {
    name: 'bizproc.robot.list',
    scopes: ['bizproc'],
    handler({ portal, auth }) {
      const app = adminApp(auth);
      return { result: robotsOf(portal, app.clientId).map((r) => r.code) };
    },
  },
  {
    name: 'bizproc.robot.update',
    scopes: ['bizproc'],
    handler({ ctx, portal, auth, params }) {
      const app = adminApp(auth);
      const code = readCode(params);
      const stored = portal.robots.get(robotKey(app.clientId, code));
      if (!stored) throw robotErrors.notFound();
      const fields = param(params, 'FIELDS');
      if (!isRecord(fields) || Object.keys(fields).length === 0) throw robotErrors.validation('No fields to update.');
      portal.robots.set(robotKey(app.clientId, code), readRobot(fields, app, code, ctx.now(), stored));
      return { result: true };
    },
  },
  {
    name: 'bizproc.robot.delete',
    scopes: ['bizproc'],
    handler({ portal, auth, params }) {
      const app = adminApp(auth);
      const code = readCode(params);
      if (!portal.robots.delete(robotKey(app.clientId, code))) throw robotErrors.notFound();
      return { result: true };
    },
  },
  {
    name: 'bizproc.event.send',
    scopes: ['bizproc'],
    handler({ ctx, portal, auth, params }) {
      if (auth.type !== 'oauth') throw robotErrors.appContext();
      const token = (asString(param(params, 'EVENT_TOKEN')) ?? '').trim();
      const run = [...portal.robotRuns.values()].find((r) => r.eventToken === token);
      const returned = param(params, 'RETURN_VALUES');
      const returnValues = isRecord(returned) ? returned : {};
      // another app's token is as unknown as a made-up one
      if (!run || run.clientId !== auth.app.clientId) throw tokenRefused();
      const accepted = run.state === 'running';
      run.sends.push({ at: ctx.now(), accepted, returnValues });
      if (!accepted) throw tokenRefused();
      run.state = 'completed';
      run.returnValues = returnValues;
      run.logMessage = asString(param(params, 'LOG_MESSAGE')) ?? 'Received response from the application.';
      run.completedAt = ctx.now();
      return { result: true };
    },
  },
];
