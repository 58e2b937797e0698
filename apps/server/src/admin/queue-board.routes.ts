import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { Router } from 'express';
import { operatorAuth } from '../http/operator-auth.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Bull Board (the queues, their jobs and failures) for operators, behind the operator's key. Job
 * payloads carry ids only, so nothing secret is on show.
 */
export function queueBoardRoutes(deps: { queues: readonly Queue[]; apiToken: string }): Router {
  const board = new ExpressAdapter();
  board.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: deps.queues.map((q) => new BullMQAdapter(q)), serverAdapter: board });
  const r = Router();
  r.use(QUEUE_BOARD_PATH, operatorAuth(deps.apiToken), board.getRouter());
  return r;
}
