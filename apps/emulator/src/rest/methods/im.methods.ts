import type { Notification } from '../../state/model.js';
import type { MethodCall, MethodDef } from '../method-types.js';
import { asInt, asString, isRecord, param } from '../params.js';
import { RestError } from '../rest-error.js';

// im.notify.system.add (from the app, no sender) and im.notify.personal.add (from the calling user), as the docs
// (api-reference/chats/notifications) describe them: scope `im`; USER_ID and MESSAGE required (USER_ID_EMPTY
// when missing or <= 0, MESSAGE_EMPTY; MESSAGE is trimmed); MESSAGE_OUT, TAG, SUB_TAG; ATTACH an object or its
// JSON (ATTACH_ERROR, ATTACH_OVERSIZE above 30 KB). The answer is the notification's id, or false when none was
// made (a recipient the portal does not know). A TAG is unique within the app: adding one removes the app's
// earlier notifications with it.

const ATTACH_MAX_BYTES = 30 * 1024;

function readAttach(raw: unknown): unknown {
  if (raw === undefined || raw === null || raw === '') return null;
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new RestError('ATTACH_ERROR', 'Incorrect attach params', 400);
    }
  }
  if (!isRecord(value) && !Array.isArray(value)) throw new RestError('ATTACH_ERROR', 'Incorrect attach params', 400);
  if (Buffer.byteLength(JSON.stringify(value)) > ATTACH_MAX_BYTES) {
    throw new RestError('ATTACH_OVERSIZE', 'You have exceeded the maximum allowable size of attach', 400);
  }
  return value;
}

function notify(call: MethodCall, kind: Notification['kind']): number | false {
  const { ctx, portal, auth, params } = call;
  const userId = asInt(param(params, 'USER_ID'));
  if (userId === null || userId <= 0) throw new RestError('USER_ID_EMPTY', "User ID can't be empty", 400);
  const message = (asString(param(params, 'MESSAGE')) ?? '').trim();
  if (!message) throw new RestError('MESSAGE_EMPTY', "Message can't be empty", 400);
  const attach = readAttach(param(params, 'ATTACH'));
  if (!portal.users.has(userId)) return false;
  const clientId = auth.type === 'oauth' ? auth.app.clientId : (asString(param(params, 'CLIENT_ID')) ?? null);
  const n: Notification = {
    id: portal.nextNotificationId++,
    userId,
    kind,
    fromUserId: kind === 'personal' ? auth.user.id : null,
    clientId,
    message,
    messageOut: asString(param(params, 'MESSAGE_OUT')),
    tag: asString(param(params, 'TAG')),
    subTag: asString(param(params, 'SUB_TAG')),
    attach,
    at: ctx.now(),
  };
  if (n.tag) portal.notifications = portal.notifications.filter((x) => !(x.clientId === clientId && x.tag === n.tag));
  portal.notifications.push(n);
  return n.id;
}

export const imMethods: MethodDef[] = [
  {
    name: 'im.notify.system.add',
    scopes: ['im'],
    handler: (call) => ({ result: notify(call, 'system') }),
  },
  {
    name: 'im.notify.personal.add',
    scopes: ['im'],
    handler: (call) => ({ result: notify(call, 'personal') }),
  },
];
