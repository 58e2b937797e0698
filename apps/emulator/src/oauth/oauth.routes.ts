import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router } from 'express';
import { type EmulatorContext, oauthDomain } from '../emulator-context.js';
import { extractAuth, readRawBody, redactParams, requestParams } from '../http/request-params.js';
import { atomDate, timeBlock } from '../rest/envelope.js';
import { applyFailure, takeFailure } from '../rest/failure-injection.js';
import { RestError } from '../rest/rest-error.js';
import type { CallLogEntry } from '../state/model.js';
import { OAuthError, resolveAccessToken, tokenGrant, tokenResponse } from './token-service.js';

// The OAuth server's routes on the main listener: /oauth/token/ (GET query or POST form) and
// app.info at {server_endpoint}app.info, the documented way to verify a token belongs to an app.

async function readParams(
  req: IncomingMessage,
): Promise<{ all: Record<string, unknown>; headers: IncomingMessage['headers'] }> {
  const raw = await readRawBody(req);
  const url = new URL(req.url ?? '/', 'http://x');
  return { all: requestParams(req.headers['content-type'], raw, url.search.slice(1)), headers: req.headers };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'access-control-allow-origin': '*' });
  res.end(JSON.stringify(body));
}

function logOAuth(ctx: EmulatorContext, entry: Omit<CallLogEntry, 'seq' | 'kind' | 'host' | 'parentSeq' | 'authType'>) {
  ctx.state.pushCall({ ...entry, kind: 'oauth', host: oauthDomain(ctx), authType: 'none', parentSeq: null });
}

/** status of an injected answer for the call log (0 = none sent) */
function injectedStatus(res: ServerResponse): number {
  return res.headersSent ? res.statusCode : 0;
}

/** The portal a token request is about (from its refresh token or code), so rules can target one portal. */
function grantMemberId(ctx: EmulatorContext, all: Record<string, unknown>): string | null {
  if (typeof all.refresh_token === 'string') return ctx.state.refreshTokens.get(all.refresh_token)?.memberId ?? null;
  if (typeof all.code === 'string') return ctx.state.authCodes.get(all.code)?.memberId ?? null;
  return null;
}

/**
 * Runs an injected rule for an OAuth-host method in this phase; true when it consumed the request
 * (an error answered, the socket dropped or left hanging), false when the request goes on (none, or a delay).
 */
async function injected(
  ctx: EmulatorContext,
  target: { memberId: string | null; method: string; phase: 'before' | 'after' },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const rule = takeFailure(ctx, target.memberId, target.method, target.phase);
  if (!rule) return false;
  const answer = await applyFailure(rule);
  if (answer.type === 'proceed') return false;
  if (answer.type === 'error') json(res, answer.error.status, answer.error.toBody());
  else if (answer.type === 'drop') req.socket.destroy();
  return true;
}

export function oauthRoutes(ctx: EmulatorContext): Router {
  const router = Router();

  router.all(['/oauth/token', '/oauth/token/'], async (req, res) => {
    const start = ctx.now();
    const { all } = await readParams(req);
    const base = {
      at: start,
      method: 'oauth.token',
      params: redactParams(all),
      clientId: typeof all.client_id === 'string' ? all.client_id : null,
    };
    const memberId = grantMemberId(ctx, all);
    if (await injected(ctx, { memberId, method: 'oauth.token', phase: 'before' }, req, res)) {
      logOAuth(ctx, {
        ...base,
        memberId,
        userId: null,
        status: injectedStatus(res),
        error: 'INJECTED',
        durationMs: ctx.now() - start,
      });
      return;
    }
    try {
      const pair = tokenGrant(ctx, all);
      // phase 'after': the grant happened (the refresh token is spent), the answer is lost or late
      if (await injected(ctx, { memberId, method: 'oauth.token', phase: 'after' }, req, res)) {
        logOAuth(ctx, {
          ...base,
          memberId,
          userId: null,
          status: injectedStatus(res),
          error: 'INJECTED',
          durationMs: ctx.now() - start,
        });
        return;
      }
      json(res, 200, tokenResponse(ctx, pair));
      logOAuth(ctx, {
        ...base,
        memberId: pair.access.memberId,
        userId: pair.access.userId,
        status: 200,
        error: null,
        durationMs: ctx.now() - start,
      });
    } catch (e) {
      const err = e instanceof OAuthError ? e : new OAuthError('invalid_request', 'Malformed request', 400);
      json(res, err.status, { error: err.error, error_description: err.description });
      logOAuth(ctx, {
        ...base,
        memberId: null,
        userId: null,
        status: err.status,
        error: err.error,
        durationMs: ctx.now() - start,
      });
    }
  });

  router.all(/^\/rest\/app\.info(\.json)?\/?$/, async (req, res) => {
    const start = ctx.now();
    const { all, headers } = await readParams(req);
    const { token, params } = extractAuth(headers, all);
    const memberId = token ? (ctx.state.accessTokens.get(token)?.memberId ?? null) : null;
    if (await injected(ctx, { memberId, method: 'app.info', phase: 'before' }, req, res)) return;
    try {
      const record = resolveAccessToken(ctx, token);
      const app = ctx.state.apps.get(record.clientId);
      const inst = ctx.state.installation(record.memberId, record.clientId);
      const portal = ctx.state.portals.get(record.memberId);
      if (!app || !inst || !portal) throw new RestError('NO_AUTH_FOUND', 'Wrong authorization data', 401);
      const finish = ctx.now();
      json(res, 200, {
        result: {
          client_id: app.clientId,
          scope: app.scope,
          expires: String(Math.floor(record.expiresAtMs / 1000)),
          user_id: record.userId,
          install: {
            installed: inst.installed,
            version: app.version,
            status: app.status,
            scope: app.scope,
            domain: portal.domain,
            uri: `http://${portal.domain}`,
            client_endpoint: portal.clientEndpoint,
            member_id: portal.memberId,
            member_type: portal.plan === 'enterprise' ? 'ENTERPRISE' : 'STANDARD',
          },
        },
        time: { ...timeBlock(start, finish, 0, Math.floor(start / 1000) + 600), date_start: atomDate(start) },
      });
      logOAuth(ctx, {
        at: start,
        method: 'app.info',
        params: redactParams(params),
        clientId: app.clientId,
        memberId: portal.memberId,
        userId: record.userId,
        status: 200,
        error: null,
        durationMs: finish - start,
      });
    } catch (e) {
      const err = e instanceof RestError ? e : new RestError('INTERNAL_SERVER_ERROR', 'Internal server error', 500);
      json(res, err.status, err.toBody());
      logOAuth(ctx, {
        at: start,
        method: 'app.info',
        params: redactParams(params),
        clientId: null,
        memberId: null,
        userId: null,
        status: err.status,
        error: err.code,
        durationMs: ctx.now() - start,
      });
    }
  });

  return router;
}
