/**
 * POST /b24/app: the frame POST that opens the app page (DEFAULT placement, the card's openRestApp slider, the
 * "About app" item). The user is proven with Bitrix24 before anything is shown; the page then carries a short
 * session and talks to /api/app/* with it. Also serves the front end's hashed assets, cached for a year.
 */
import { AppError, httpStatusOf, type Logger } from '@b24app/core';
import express, { Router } from 'express';
import { formBody, formOf } from '../http/form-body.js';
import { pageLang, parsePlacementOptions, appFrameSchema } from './app-frame.schemas.js';
import { type BootData, renderAppPage, renderRefusalPage } from './app-page-html.js';
import type { AppSessionCodec } from './app-session.js';
import type { VerifyFrameUser } from './verify-frame-user.js';

export function appPageRoutes(deps: {
  verify: VerifyFrameUser;
  sessions: AppSessionCodec;
  /** The built index.html, or null when the front end was not built. */
  template: () => string | null;
  assetsDir: string;
  logger: Logger;
}): Router {
  const r = Router();
  r.use(
    '/app-assets',
    express.static(deps.assetsDir, { immutable: true, maxAge: '365d', index: false, fallthrough: false }),
  );

  r.post('/b24/app', formBody, async (req, res) => {
    const lang = pageLang(typeof req.query.LANG === 'string' ? req.query.LANG : 'en');
    // The page is personal and short-lived: never cached, never framed by anyone but the portal.
    res.set('Cache-Control', 'no-store');
    res.set('Referrer-Policy', 'no-referrer');
    try {
      const parsed = appFrameSchema.safeParse({ query: req.query, body: formOf(res) });
      if (!parsed.success) throw new AppError('BAD_REQUEST', 'This request is not a Bitrix24 app page request.');
      const frame = parsed.data;
      const user = await deps.verify(frame);
      const now = Math.floor(Date.now() / 1000);
      const { token, expiresAt } = deps.sessions.issue(
        {
          portalId: user.portalId,
          memberId: user.memberId,
          userId: user.userId,
          admin: user.admin,
          userName: user.userName,
          lang,
          userTokenExpiresAt: now + frame.body.AUTH_EXPIRES,
        },
        frame.body.AUTH_ID,
      );
      const options = parsePlacementOptions(frame.body.PLACEMENT_OPTIONS);
      const view: BootData['view'] =
        options.approvalId || options.activityId
          ? {
              name: 'details',
              ...(options.approvalId ? { approvalId: options.approvalId } : {}),
              ...(options.activityId ? { activityId: options.activityId } : {}),
            }
          : options.context === 'aboutMenuItem'
            ? { name: 'about' }
            : { name: 'home' };
      res.type('html').send(
        renderAppPage(deps.template(), {
          session: token,
          sessionExpiresAt: expiresAt,
          user: { id: user.userId, name: user.userName, admin: user.admin },
          portal: { domain: user.domain, memberId: user.memberId },
          lang,
          placement: frame.body.PLACEMENT,
          view,
        }),
      );
    } catch (e) {
      const status = httpStatusOf(e);
      if (status >= 500) deps.logger.error({ err: e }, 'app page failed');
      else deps.logger.info({ code: (e as AppError).code }, 'app page refused');
      const message =
        e instanceof AppError && status < 500 ? e.message : 'The app could not be opened; please try again.';
      res.status(status).type('html').send(renderRefusalPage(lang, message));
    }
  });
  return r;
}
