import { RestError } from '../rest/rest-error.js';
import { asBool, asInt, asString, isRecord, param } from '../rest/params.js';
import type { AppRecord, Portal, Robot, RobotProperty } from '../state/model.js';

// Reads and validates bizproc.robot.add / update fields the way the bizproc REST service does
// (ERROR_ACTIVITY_VALIDATION_FAILURE with its messages), and keys robots per app.

const CODE = /^[a-zA-Z0-9._-]+$/;
const PROPERTY_KEY = /^[a-zA-Z][a-zA-Z0-9_]*$/;

export const robotErrors = {
  validation: (why: string) => new RestError('ERROR_ACTIVITY_VALIDATION_FAILURE', why, 400),
  alreadyInstalled: () =>
    new RestError('ERROR_ACTIVITY_ALREADY_INSTALLED', 'Activity or Automation rule already installed!', 400),
  notFound: () => new RestError('ERROR_ACTIVITY_NOT_FOUND', 'Activity or Automation rule not found!', 400),
  appContext: () => new RestError('ACCESS_DENIED', 'Application context required', 400),
  notAdmin: () => new RestError('ACCESS_DENIED', 'Access denied!', 400),
  wrongHandler: () => new RestError('ERROR_WRONG_HANDLER_URL', 'Wrong handler URL', 400),
  protocol: () => new RestError('ERROR_UNSUPPORTED_PROTOCOL', 'Unsupported handler protocol', 400),
};

export function robotKey(clientId: string, code: string): string {
  return `${clientId}|${code}`;
}

export function robotsOf(portal: Portal, clientId: string): Robot[] {
  return [...portal.robots.values()].filter((r) => r.clientId === clientId);
}

export function readCode(params: Record<string, unknown>): string {
  const code = (asString(param(params, 'CODE')) ?? '').trim();
  if (!code) throw robotErrors.validation('Empty activity code!');
  if (!CODE.test(code)) throw robotErrors.validation('Wrong activity code!');
  return code;
}

/** The handler must be http(s) on the host the app lives on ("the same domain as the application"). */
function readHandler(raw: unknown, app: AppRecord): string {
  const handler = (asString(raw) ?? '').trim();
  let url: URL;
  try {
    url = new URL(handler);
  } catch {
    throw robotErrors.wrongHandler();
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw robotErrors.protocol();
  if (url.hostname !== new URL(app.installUrl).hostname) throw robotErrors.wrongHandler();
  return handler;
}

function readProperties(raw: unknown): Record<string, RobotProperty> {
  if (raw === undefined || raw === null || raw === '') return {};
  if (!isRecord(raw)) throw robotErrors.validation('Wrong properties array!');
  const out: Record<string, RobotProperty> = {};
  for (const [key, p] of Object.entries(raw)) {
    if (!PROPERTY_KEY.test(key)) throw robotErrors.validation(`Wrong property key ${key}!`);
    if (!isRecord(p)) throw robotErrors.validation('Wrong properties array!');
    const name = param(p, 'Name');
    if (name === undefined || name === '') throw robotErrors.validation(`Empty property NAME ${key}!`);
    out[key] = {
      name,
      description: param(p, 'Description'),
      type: asString(param(p, 'Type')) ?? 'string',
      required: asBool(param(p, 'Required')) ?? false,
      multiple: asBool(param(p, 'Multiple')) ?? false,
      default: param(p, 'Default'),
      options: param(p, 'Options'),
    };
  }
  return out;
}

/** A full robot from bizproc.robot.add params (`base` = the stored one, for update's partial FIELDS). */
export function readRobot(
  fields: Record<string, unknown>,
  app: AppRecord,
  code: string,
  addedAt: number,
  base?: Robot,
): Robot {
  const has = (name: string) => param(fields, name) !== undefined;
  const name = has('NAME') ? param(fields, 'NAME') : base?.name;
  if (name === undefined || name === '' || (isRecord(name) && Object.keys(name).length === 0)) {
    throw robotErrors.validation('Empty activity NAME!');
  }
  const handler = has('HANDLER') ? readHandler(param(fields, 'HANDLER'), app) : base?.handler;
  if (handler === undefined) throw robotErrors.wrongHandler();
  const authUser = param(fields, 'AUTH_USER_ID');
  return {
    clientId: app.clientId,
    code,
    handler,
    authUserId: has('AUTH_USER_ID') ? asInt(authUser) : (base?.authUserId ?? null),
    useSubscription: has('USE_SUBSCRIPTION')
      ? asBool(param(fields, 'USE_SUBSCRIPTION')) === true
      : (base?.useSubscription ?? false),
    name,
    description: has('DESCRIPTION') ? param(fields, 'DESCRIPTION') : (base?.description ?? ''),
    properties: has('PROPERTIES') ? readProperties(param(fields, 'PROPERTIES')) : (base?.properties ?? {}),
    returnProperties: has('RETURN_PROPERTIES')
      ? readProperties(param(fields, 'RETURN_PROPERTIES'))
      : (base?.returnProperties ?? {}),
    usePlacement: has('USE_PLACEMENT')
      ? asBool(param(fields, 'USE_PLACEMENT')) === true
      : (base?.usePlacement ?? false),
    filter: has('FILTER') ? readFilter(param(fields, 'FILTER')) : (base?.filter ?? null),
    addedAt: base?.addedAt ?? addedAt,
  };
}

/** Arrays arrive as arrays (JSON) or as PHP-style keyed records (form bodies). */
const listOf = (v: unknown): unknown[] | null => (Array.isArray(v) ? v : isRecord(v) ? Object.values(v) : null);

function readFilter(raw: unknown): unknown {
  if (raw === undefined || raw === null || raw === '') return null;
  if (!isRecord(raw)) throw robotErrors.validation('Wrong activity FILTER!');
  const out: Record<string, unknown[]> = {};
  for (const key of ['INCLUDE', 'EXCLUDE']) {
    const rules = param(raw, key);
    if (rules === undefined) continue;
    const list = listOf(rules);
    if (!list) throw robotErrors.validation('Wrong activity FILTER!');
    out[key] = list.map((r) => (typeof r === 'string' ? r : (listOf(r) ?? [])));
  }
  return out;
}

/** Whether a robot's FILTER lets it run on a document type (['crm', 'CCrmDocumentDeal', 'DEAL']); the emulator is cloud (`b24`). */
export function robotAppliesTo(robot: Robot, documentType: readonly string[]): boolean {
  if (!isRecord(robot.filter)) return true;
  const matches = (rule: unknown) =>
    typeof rule === 'string'
      ? rule === 'b24'
      : Array.isArray(rule) && rule.length > 0 && rule.every((part, i) => String(part) === documentType[i]);
  const include = robot.filter.INCLUDE;
  const exclude = robot.filter.EXCLUDE;
  if (Array.isArray(include) && !include.some(matches)) return false;
  return !(Array.isArray(exclude) && exclude.some(matches));
}
