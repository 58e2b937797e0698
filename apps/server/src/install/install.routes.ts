import { AppError, httpStatusOf, type Logger } from '@b24app/core';
import { Router } from 'express';
import { type InstallFrame, installFrameSchema } from '../events/bitrix-event.schemas.js';
import { formBody, formOf } from '../http/form-body.js';
import { parseOrThrow } from '../http/validation.js';
import { renderInstallPage } from './install-page.js';
import type { InstallInput, InstallService } from './install.service.js';

const DEFAULT_OAUTH_ENDPOINT = 'https://oauth.bitrix.info/rest/';

/** POST /b24/install: the installer frame. Answers HTML in every case, since a person reads it. */
export function installRoutes(deps: { install: InstallService; bx24Url: string; logger: Logger }): Router {
  const r = Router();
  r.post('/b24/install', formBody, async (req, res) => {
    try {
      const frame = parseOrThrow(installFrameSchema, { query: req.query, body: formOf(res) }, 'install request');
      await deps.install.install(frameToInstall(frame));
      res
        .type('html')
        .send(renderInstallPage({ ok: true, message: 'The application is installed.', bx24Url: deps.bx24Url }));
    } catch (e) {
      const status = httpStatusOf(e);
      if (status >= 500) deps.logger.error({ err: e }, 'install failed');
      const message =
        e instanceof AppError && status < 500 ? e.message : 'Installation failed on our side; please try again.';
      res
        .status(status)
        .type('html')
        .send(renderInstallPage({ ok: false, message: `Installation failed: ${message}`, bx24Url: deps.bx24Url }));
    }
  });
  return r;
}

export function frameToInstall(frame: InstallFrame): InstallInput {
  const { query, body } = frame;
  const scheme = query.PROTOCOL === '0' ? 'http' : 'https';
  return {
    source: 'page',
    memberId: body.member_id.toLowerCase(),
    domain: query.DOMAIN.toLowerCase(),
    clientEndpoint: `${scheme}://${query.DOMAIN}/rest/`,
    serverEndpoint: body.SERVER_ENDPOINT ?? DEFAULT_OAUTH_ENDPOINT,
    accessToken: body.AUTH_ID,
    refreshToken: body.REFRESH_ID,
    expiresAt: Math.floor(Date.now() / 1000) + body.AUTH_EXPIRES,
    applicationToken: body.APPLICATION_TOKEN,
    scope: body.APPLICATION_SCOPE,
  };
}
