import { Router } from 'express';
import { formBody, formOf } from '../http/form-body.js';
import type { RobotRunIntake } from './robot-run.service.js';

/** POST /b24/robot: runs of our robot from Bitrix24's automation. Parse, verify, record; answer once it is durable. */
export function robotRoutes(deps: { robots: RobotRunIntake }): Router {
  const r = Router();
  r.post('/b24/robot', formBody, async (req, res) => {
    const form = formOf(res);
    const auth = form.auth;
    if (typeof auth === 'object' && typeof auth.member_id === 'string')
      res.locals.memberId = auth.member_id.toLowerCase();
    const accepted = await deps.robots.accept(form, req.ip === undefined ? {} : { ip: req.ip });
    res.json({ ok: true, approvalId: accepted.approvalId, duplicate: accepted.duplicate });
  });
  return r;
}
