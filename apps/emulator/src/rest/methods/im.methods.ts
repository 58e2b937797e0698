import type { Notification } from '../../state/model.js';
import type { MethodCall, MethodDef } from '../method-types.js';
import { asInt, asString, param } from '../params.js';
import { RestError } from '../rest-error.js';

// im.notify.system.add (from the app, no sender) and im.notify.personal.add (from the calling user):
// the notification lands in the recipient's list; the answer is its id.

function notify(call: MethodCall, kind: Notification['kind']): number {
  const { ctx, portal, auth, params } = call;
  const userId = asInt(param(params, 'USER_ID'));
  if (userId === null || !portal.users.has(userId))
    throw new RestError('USER_ID_EMPTY', 'Recipient ID not specified', 400);
  const message = (asString(param(params, 'MESSAGE')) ?? '').trim();
  if (!message) throw new RestError('MESSAGE_EMPTY', 'Message text not specified', 400);
  const n: Notification = {
    id: portal.nextNotificationId++,
    userId,
    kind,
    fromUserId: kind === 'personal' ? auth.user.id : null,
    clientId: auth.type === 'oauth' ? auth.app.clientId : null,
    message,
    messageOut: asString(param(params, 'MESSAGE_OUT')),
    tag: asString(param(params, 'TAG')),
    subTag: asString(param(params, 'SUB_TAG')),
    attach: param(params, 'ATTACH') ?? null,
    at: ctx.now(),
  };
  // a notification with the same TAG replaces the earlier one for that user (im's tag semantics)
  if (n.tag) portal.notifications = portal.notifications.filter((x) => !(x.userId === userId && x.tag === n.tag));
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
