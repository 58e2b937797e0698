import express, { type RequestHandler, Router } from 'express';
import { callerOf } from '../http/integration-auth.js';
import { parseOrThrow } from '../http/validation.js';
import { approvalIdSchema, createApprovalSchema } from './approval.schemas.js';
import { createInputFor, readScopeOf } from './approval-scope.js';
import { approvalReadQuerySchema } from './approval-wait.schemas.js';
import type { ApprovalService } from './approval.service.js';

/** The integrations API: create an approval on a CRM item, read its state. `auth` proves the caller. */
export function approvalRoutes(deps: { approvals: ApprovalService; auth: RequestHandler }): Router {
  const r = Router();
  const json = express.json({ limit: '32kb', strict: true });
  r.use('/api/v1', deps.auth);

  r.post('/api/v1/approvals', json, async (req, res) => {
    const key = req.get('idempotency-key');
    const body = parseOrThrow(
      createApprovalSchema,
      { ...(isObject(req.body) ? req.body : {}), ...(key ? { idempotencyKey: key } : {}) },
      'approval',
    );
    const { approval, outcome } = await deps.approvals.create(createInputFor(callerOf(res), body));
    if (outcome === 'creating') {
      // Recorded; the creation job adds the activity when the portal's bucket lets it: read it (?wait=), or retry the key.
      res.status(202).location(`/api/v1/approvals/${approval.id}`);
      res.json({ id: approval.id, activityId: null, state: 'creating' });
      return;
    }
    res.status(outcome === 'created' ? 201 : 200).json({ id: approval.id, activityId: approval.activityId });
  });

  r.get('/api/v1/approvals/:id', async (req, res) => {
    const { id } = parseOrThrow(approvalIdSchema, req.params, 'approval id');
    const { wait } = parseOrThrow(approvalReadQuerySchema, req.query, 'query');
    res.json(await deps.approvals.get(id, readScopeOf(callerOf(res)), wait ? { waitMs: wait } : {}));
  });
  return r;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
