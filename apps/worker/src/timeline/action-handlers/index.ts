import { createActionRegistry } from './action-handler.js';
import { approveHandler } from './approve.handler.js';
import { rejectHandler } from './reject.handler.js';

export * from './action-handler.js';

/** Every action the app's activities offer. A new action is one file plus one line here. */
export const defaultActionRegistry = () => createActionRegistry([approveHandler, rejectHandler]);
