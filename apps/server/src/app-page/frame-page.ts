/**
 * Answers a Bitrix24 frame POST with the app page: the request is parsed, the view it asks for chosen (before any
 * outbound call, so a request that is not ours costs nothing), the user proven by Bitrix24 (verify-frame-user.ts),
 * and the page rendered with a signed short session. The app page itself, the card's openRestApp slider and the
 * CRM placements all open this way; anything refused gets the refusal page with a stable status.
 */
import { AppError, httpStatusOf, type Logger } from '@b24app/core';
import type { Request, Response } from 'express';
import { formOf } from '../http/form-body.js';
import {
  type AppFrame,
  appFrameSchema,
  pageLang,
  type PlacementOptions,
  parsePlacementOptions,
} from './app-frame.schemas.js';
import { type BootData, renderAppPage, renderRefusalPage } from './app-page-html.js';
import type { AppSessionCodec } from './app-session.js';
import type { VerifyFrameUser } from './verify-frame-user.js';

export interface FramePageDeps {
  verify: VerifyFrameUser;
  sessions: AppSessionCodec;
  /** The built index.html, or null when the front end was not built. */
  template: () => string | null;
  logger: Logger;
}

/** The view a frame opens on; throws an AppError (a 4xx) when the frame is not one this route serves. */
export type ChooseView = (frame: AppFrame, options: PlacementOptions) => BootData['view'];

export async function serveFramePage(deps: FramePageDeps, req: Request, res: Response, choose: ChooseView) {
  const lang = pageLang(typeof req.query.LANG === 'string' ? req.query.LANG : 'en');
  // The page is personal and short-lived: never cached, never framed by anyone but the portal.
  res.set('Cache-Control', 'no-store');
  res.set('Referrer-Policy', 'no-referrer');
  try {
    const parsed = appFrameSchema.safeParse({ query: req.query, body: formOf(res) });
    if (!parsed.success) throw new AppError('BAD_REQUEST', 'This request is not a Bitrix24 app page request.');
    const frame = parsed.data;
    const view = choose(frame, parsePlacementOptions(frame.body.PLACEMENT_OPTIONS));
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
}
