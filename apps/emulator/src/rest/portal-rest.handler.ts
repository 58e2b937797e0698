import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../emulator-context.js';
import { extractAuth, readRawBody, redactParams, requestParams } from '../http/request-params.js';
import { takeFromBucket } from '../limits/leaky-bucket.js';
import { resolveAccessToken } from '../oauth/token-service.js';
import type { Portal } from '../state/model.js';
import { successEnvelope } from './envelope.js';
import { applyFailure, type InjectedAnswer, takeFailure } from './failure-injection.js';
import { executeMethod } from './method-executor.js';
import type { AuthContext, MethodTable } from './method-types.js';
import { RestError, restErrors } from './rest-error.js';

// `/rest/{method}[.json]` (OAuth) and `/rest/{user}/{code}/{method}` (webhook) on a portal's own listener.
// Order of checks: injected failure (or delay), leaky bucket, auth, then the method (scope, operating budget, handler).

export interface RestPath {
  method: string;
  webhook: { userId: string; code: string } | null;
}

/** Parses the REST path; tolerates `/rest//method` (what SDKs send with a trailing-slash client_endpoint). */
export function parseRestPath(pathname: string): RestPath | null {
  const segments = pathname
    .split('/')
    .filter(Boolean)
    .map((s) => decodeURIComponent(s));
  if (segments[0] !== 'rest') return null;
  const rest = segments.slice(1);
  const clean = (m: string) => m.toLowerCase().replace(/\.(json|xml)$/, '');
  if (rest.length === 1) return { method: clean(rest[0] as string), webhook: null };
  if (rest.length === 3) {
    return { method: clean(rest[2] as string), webhook: { userId: rest[0] as string, code: rest[1] as string } };
  }
  return null;
}

export function authenticate(ctx: EmulatorContext, portal: Portal, path: RestPath, token: string | null): AuthContext {
  if (path.webhook) {
    const hook = portal.webhooks.get(path.webhook.code);
    const user = hook && String(hook.userId) === path.webhook.userId ? portal.users.get(hook.userId) : undefined;
    if (!hook || !user) throw restErrors.noAuth();
    return { type: 'webhook', user, webhookCode: hook.code };
  }
  const record = resolveAccessToken(ctx, token);
  if (record.memberId !== portal.memberId) throw restErrors.noAuth();
  const app = ctx.state.apps.get(record.clientId);
  const installation = ctx.state.installation(record.memberId, record.clientId);
  const user = portal.users.get(record.userId);
  if (!app || !installation || !user) throw restErrors.noAuth();
  return { type: 'oauth', user, app, installation };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export function corsHeaders(): Record<string, string> {
  return {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'authorization, content-type',
    'access-control-allow-methods': 'GET, POST, OPTIONS',
  };
}

export function createPortalRestHandler(ctx: EmulatorContext, methods: MethodTable) {
  return async function handle(portal: Portal, req: IncomingMessage, res: ServerResponse, path: RestPath) {
    const start = ctx.now();
    const seq = ++ctx.state.seq.call;
    const url = new URL(req.url ?? '/', 'http://x');
    let params: Record<string, unknown> = {};
    let auth: AuthContext | null = null;
    let status = 200;
    let errorCode: string | null = null;
    const log = () =>
      ctx.state.pushCall({
        seq,
        at: start,
        kind: 'rest',
        host: portal.domain,
        memberId: portal.memberId,
        clientId: auth?.type === 'oauth' ? auth.app.clientId : null,
        userId: auth?.user.id ?? null,
        authType: auth?.type ?? 'none',
        method: path.method,
        params: redactParams(params),
        status,
        error: errorCode,
        durationMs: ctx.now() - start,
        parentSeq: null,
      });
    // error bodies carry no `time` block, as every documented error example shows
    const fail = (e: RestError) => {
      status = e.status;
      errorCode = e.code;
      send(res, e.status, e.toBody(), corsHeaders());
      return log();
    };
    /** ends the request as an injected rule says; false when a delay rule lets it go on */
    const inject = (answer: InjectedAnswer): boolean => {
      if (answer.type === 'proceed') return false;
      if (answer.type === 'error') {
        fail(answer.error);
        return true;
      }
      status = 0;
      errorCode = answer.type === 'drop' ? 'INJECTED_NETWORK_ERROR' : 'INJECTED_TIMEOUT';
      if (answer.type === 'drop') req.socket.destroy();
      log();
      return true;
    };

    try {
      const raw = await readRawBody(req);
      const extracted = extractAuth(req.headers, requestParams(req.headers['content-type'], raw, url.search.slice(1)));
      params = extracted.params;

      const before = takeFailure(ctx, portal.memberId, path.method, 'before', params);
      if (before && inject(await applyFailure(before))) return;

      const bucket = takeFromBucket(portal.bucket, start, portal.limits);
      portal.bucket = bucket.state;
      if (!bucket.allowed) return fail(restErrors.queryLimit());

      auth = authenticate(ctx, portal, path, extracted.token);
      const billOperating = !(path.method === 'batch' && ctx.settings.batchOperating === 'inner');
      const outcome = await executeMethod(ctx, methods, portal, auth, path.method, params, {
        inBatch: false,
        billOperating,
        parentSeq: seq,
      });

      const after = takeFailure(ctx, portal.memberId, path.method, 'after', params);
      if (after && inject(await applyFailure(after))) return;

      if (!outcome.ok) return fail(outcome.error);
      const headers: Record<string, string> = {
        ...corsHeaders(),
        'x-bitrix-rest-time': String(outcome.time.duration),
        'x-bitrix-rest-user-time': '0',
        'x-bitrix-rest-system-time': '0',
      };
      if (auth.type === 'oauth') headers['x-bitrix-rest-application'] = auth.app.clientId;
      send(res, 200, successEnvelope(outcome.result, outcome.time), headers);
      return log();
    } catch (e) {
      if (e instanceof RestError) return fail(e);
      ctx.logger.warn(`[emulator] REST ${path.method} failed: ${(e as Error).message}`);
      return fail(restErrors.internal());
    }
  };
}
