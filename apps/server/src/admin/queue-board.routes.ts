import type { Queue } from 'bullmq';
import { type RequestHandler, Router } from 'express';
import { operatorAuth } from '../http/operator-auth.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Bull Board (the queues, their jobs and failures) for operators, behind the operator's key. Job
 * payloads carry ids only, so nothing secret is on show. Loaded on the first authenticated request: Bull
 * Board and what it pulls in (valibot, lodash) cost ≈ 11 MB of RSS that a server would otherwise carry unused.
 */
export function queueBoardRoutes(deps: { queues: readonly Queue[]; apiToken: string }): Router {
  let board: Promise<RequestHandler> | undefined;
  const r = Router();
  r.use(QUEUE_BOARD_PATH, operatorAuth(deps.apiToken), (req, res, next) => {
    board ??= buildBoard(deps.queues);
    board.then(
      (handler) => handler(req, res, next),
      (err: unknown) => {
        board = undefined; // a failed load is tried again by the next request
        next(err);
      },
    );
  });
  return r;
}

async function buildBoard(queues: readonly Queue[]): Promise<RequestHandler> {
  const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/express'),
  ]);
  const board = new ExpressAdapter();
  board.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: board });
  return board.getRouter() as RequestHandler;
}
