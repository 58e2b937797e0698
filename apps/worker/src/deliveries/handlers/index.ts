import type { TokenCipher } from '@b24app/core';
import type { RobotRunsRepository } from '@b24app/db';
import type { DeliveryHandler, DeliveryHandlerRegistry } from '../delivery-handler.js';
import { bizprocEventHandler } from './bizproc-event.handler.js';
import { type CallbackHandlerDeps, callbackHandler } from './callback.handler.js';
import { notifyApproverHandler } from './notify-approver.handler.js';
import { notifyRequesterHandler } from './notify-requester.handler.js';

/** Every delivery kind the worker knows, by kind. A new kind is one handler file and one line here. */
export function defaultDeliveryRegistry(deps: {
  runs: Pick<RobotRunsRepository, 'runOfApproval'>;
  cipher: Pick<TokenCipher, 'decrypt'>;
  callbacks: CallbackHandlerDeps;
}): DeliveryHandlerRegistry {
  const handlers: DeliveryHandler[] = [
    bizprocEventHandler(deps),
    callbackHandler(deps.callbacks),
    notifyApproverHandler(),
    notifyRequesterHandler(),
  ];
  return new Map(handlers.map((h) => [h.kind, h]));
}
