import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import type { EmulatorContext } from '../emulator-context.js';
import { finishInstall } from '../install/install-service.js';
import { issueTokens } from '../oauth/token-service.js';

// The BX24 JS stand-in at /bx24/api/v1/ and the frame-session endpoints it talks to (CORS open: the app page
// runs on the app's own origin). A frame session is keyed by APP_SID, as the real parent window keys its frames.

const SCRIPT = fileURLToPath(new URL('../../public/bx24.js', import.meta.url));

export function bx24Routes(ctx: EmulatorContext): Router {
  const r = Router();
  r.use('/bx24/api/v1', (req, res, next) => {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'content-type');
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  });
  r.get(['/bx24/api/v1', '/bx24/api/v1/', '/bx24/api/v1/bx24.js'], (_req, res) => {
    res.type('application/javascript').sendFile(SCRIPT);
  });
  r.get('/bx24/api/v1/session/:sid', (req, res) => {
    const s = ctx.state.frameSessions.get(req.params.sid);
    const portal = s ? ctx.state.portals.get(s.memberId) : undefined;
    if (!s || !portal) {
      res.status(404).json({ error: 'SESSION_NOT_FOUND' });
      return;
    }
    const inst = ctx.state.installation(s.memberId, s.clientId);
    res.json({
      LANG: s.lang,
      DOMAIN: portal.domain,
      PROTOCOL: 0,
      PATH: '/rest/',
      AUTH_ID: s.accessToken,
      AUTH_EXPIRES: s.expiresIn,
      REFRESH_ID: s.refreshToken,
      MEMBER_ID: s.memberId,
      FIRST_RUN: false,
      IS_ADMIN: portal.users.get(s.userId)?.admin ?? false,
      INSTALL: !inst?.installed,
      USER_OPTIONS: [],
      APP_OPTIONS: [],
      PLACEMENT: s.placement,
      PLACEMENT_OPTIONS: s.placementOptions,
    });
  });
  r.post('/bx24/api/v1/session/:sid/install-finish', async (req, res) => {
    const s = ctx.state.frameSessions.get(req.params.sid);
    const inst = s ? ctx.state.installation(s.memberId, s.clientId) : undefined;
    if (!s || !inst) {
      res.status(404).json({ error: 'SESSION_NOT_FOUND' });
      return;
    }
    if (inst.installed) {
      res.status(409).json({
        error: 'APP_ALREADY_INSTALLED',
        message: 'Application was previously installed. You cannot call installFinish',
      });
      return;
    }
    // the page reloads at once; ONAPPINSTALL goes out in the background
    void finishInstall(ctx, s.memberId, s.clientId).catch((e: Error) =>
      ctx.logger.warn(`[emulator] installFinish: ${e.message}`),
    );
    res.json({ ok: true });
  });
  r.post('/bx24/api/v1/session/:sid/refresh', express.json(), (req, res) => {
    const s = ctx.state.frameSessions.get(req.params.sid);
    if (!s || !ctx.state.installation(s.memberId, s.clientId)) {
      res.status(404).json({ error: 'SESSION_NOT_FOUND' });
      return;
    }
    const pair = issueTokens(ctx, s);
    s.accessToken = pair.access.token;
    s.refreshToken = pair.refresh.token;
    res.json({ AUTH_ID: s.accessToken, REFRESH_ID: s.refreshToken, AUTH_EXPIRES: s.expiresIn });
  });
  return r;
}
