import { httpFetch } from '@b24app/core';
import { Bitrix24Error, safeDescription } from './bitrix24-errors.js';
import type { RotatedTokens } from './token-store.js';

/** `https://oauth.bitrix.info/rest/` → `https://oauth.bitrix.info/oauth/token/` (the SDK's rule, §2.1). */
export function oauthTokenUrl(serverEndpoint: string): string {
  const base = serverEndpoint.replace(/\/+$/, '').replace(/\/rest$/, '');
  return `${base}/oauth/token/`;
}

export interface RefreshRequest {
  serverEndpoint: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** The portal we expect the answer for; a token answer for another portal is refused. */
  memberId: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

const fail = (kind: Bitrix24Error['kind'], message: string, extra: { b24Code?: string; status?: number } = {}) =>
  new Bitrix24Error({ kind, method: 'oauth.token', message, ...extra });

/**
 * One refresh_token grant against the portal's OAuth server, bounded in time (the SDK's own refresh has no
 * timeout). The outcome is either new tokens or a Bitrix24Error: TOKEN_REVOKED for `invalid_grant` (the refresh
 * token is dead: reinstall needed), ACCESS_DENIED for `invalid_client` (our credentials), TRANSIENT otherwise.
 * Neither the request nor the answer is ever put into an error message.
 */
export async function refreshWithOAuthServer(req: RefreshRequest): Promise<RotatedTokens> {
  // Not the built-in fetch: see httpFetch (its per-origin pools and its parser's compile cost memory).
  const doFetch = req.fetch ?? httpFetch;
  const body = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: req.clientId,
    client_secret: req.clientSecret,
    refresh_token: req.refreshToken,
  });
  let res: Response;
  try {
    res = await doFetch(oauthTokenUrl(req.serverEndpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(req.timeoutMs),
    });
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
    throw fail(
      'TRANSIENT',
      timedOut ? `OAuth refresh timed out after ${req.timeoutMs} ms` : 'OAuth server unreachable',
      {
        b24Code: timedOut ? 'REQUEST_TIMEOUT' : 'NETWORK_ERROR',
      },
    );
  }

  let json: Record<string, unknown> = {};
  try {
    json = (await res.json()) as Record<string, unknown>;
  } catch {
    // Non-JSON answer: judged by its status below.
  }
  const error = typeof json.error === 'string' ? json.error : undefined;
  if (!res.ok || error) {
    const detail = safeDescription(json.error_description);
    const message = `OAuth refresh refused: ${error ?? `HTTP ${res.status}`}${detail ? ` (${detail})` : ''}`;
    if (error === 'invalid_grant') throw fail('TOKEN_REVOKED', message, { b24Code: error, status: res.status });
    if (error === 'invalid_client' || error === 'unauthorized_client')
      throw fail('ACCESS_DENIED', message, { b24Code: error, status: res.status });
    throw fail('TRANSIENT', message, { ...(error ? { b24Code: error } : {}), status: res.status });
  }

  const accessToken = json.access_token;
  const refreshToken = json.refresh_token;
  if (typeof accessToken !== 'string' || typeof refreshToken !== 'string' || !accessToken || !refreshToken) {
    throw fail('TRANSIENT', 'OAuth refresh answer has no tokens', {
      b24Code: 'ERROR_UNEXPECTED_ANSWER',
      status: res.status,
    });
  }
  if (typeof json.member_id === 'string' && json.member_id !== req.memberId) {
    throw fail('ACCESS_DENIED', 'OAuth refresh answered for another portal', { b24Code: 'MEMBER_ID_MISMATCH' });
  }
  const nowSec = Math.floor(Date.now() / 1000);
  const expires = Number(json.expires);
  const expiresIn = Number(json.expires_in);
  const expiresAt =
    Number.isFinite(expires) && expires > nowSec
      ? expires
      : nowSec + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600);
  return { accessToken, refreshToken, expiresAt };
}
