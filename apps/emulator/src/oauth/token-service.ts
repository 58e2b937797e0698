import { type EmulatorContext, oauthDomain, oauthServerEndpoint } from '../emulator-context.js';
import { restErrors } from '../rest/rest-error.js';
import { newToken } from '../state/ids.js';
import type { AccessTokenRecord, RefreshTokenRecord } from '../state/model.js';

// Token lifecycle of the OAuth server: issue, refresh (rotating, single use), authorization codes,
// and resolving an access token presented to a portal.

export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status: number,
  ) {
    super(`${error}: ${description}`);
    this.name = 'OAuthError';
  }
}

export interface TokenPair {
  access: AccessTokenRecord;
  refresh: RefreshTokenRecord;
}

export function issueTokens(
  ctx: EmulatorContext,
  p: { memberId: string; clientId: string; userId: number },
): TokenPair {
  const access: AccessTokenRecord = {
    token: newToken(),
    memberId: p.memberId,
    clientId: p.clientId,
    userId: p.userId,
    expiresAtMs: ctx.now() + ctx.settings.accessTokenTtlSec * 1000,
    revoked: false,
  };
  const refresh: RefreshTokenRecord = {
    token: newToken(),
    memberId: p.memberId,
    clientId: p.clientId,
    userId: p.userId,
    used: false,
    revoked: false,
    expiresAtMs: ctx.now() + ctx.settings.refreshTokenTtlSec * 1000,
    accessToken: access.token,
  };
  ctx.state.accessTokens.set(access.token, access);
  ctx.state.refreshTokens.set(refresh.token, refresh);
  ctx.state.oauthStats.tokensIssued++;
  return { access, refresh };
}

/** The token endpoint's answer, keys in the order real captures show. */
export function tokenResponse(ctx: EmulatorContext, pair: TokenPair): Record<string, unknown> {
  const portal = ctx.state.portals.get(pair.access.memberId);
  const app = ctx.state.apps.get(pair.access.clientId);
  return {
    access_token: pair.access.token,
    expires: Math.floor(pair.access.expiresAtMs / 1000),
    expires_in: ctx.settings.accessTokenTtlSec,
    scope: app?.scope ?? '',
    domain: oauthDomain(ctx),
    server_endpoint: oauthServerEndpoint(ctx),
    status: app?.status ?? 'L',
    client_endpoint: portal?.clientEndpoint ?? '',
    member_id: pair.access.memberId,
    user_id: pair.access.userId,
    refresh_token: pair.refresh.token,
  };
}

function checkClient(ctx: EmulatorContext, clientId: unknown, clientSecret: unknown): void {
  const app = typeof clientId === 'string' ? ctx.state.apps.get(clientId) : undefined;
  if (!app || app.clientSecret !== clientSecret) {
    ctx.state.oauthStats.invalidClient++;
    throw new OAuthError('invalid_client', 'Invalid client credentials', 401);
  }
}

function invalidGrant(ctx: EmulatorContext, description: string): OAuthError {
  ctx.state.oauthStats.invalidGrant++;
  return new OAuthError('invalid_grant', description, 400);
}

function requireInstalled(ctx: EmulatorContext, memberId: string, clientId: string): void {
  if (!ctx.state.installation(memberId, clientId)) {
    ctx.state.oauthStats.invalidClient++;
    throw new OAuthError('invalid_client', 'Application is not installed', 401);
  }
}

/** grant_type=refresh_token: the refresh token is spent; a new pair is issued. */
export function refreshGrant(ctx: EmulatorContext, params: Record<string, unknown>): TokenPair {
  checkClient(ctx, params.client_id, params.client_secret);
  if (typeof params.refresh_token !== 'string' || !params.refresh_token) {
    throw new OAuthError('invalid_request', 'refresh_token is required', 400);
  }
  const record = ctx.state.refreshTokens.get(params.refresh_token);
  if (!record || record.clientId !== params.client_id) throw invalidGrant(ctx, 'Invalid refresh token');
  if (record.used || record.revoked) throw invalidGrant(ctx, 'Refresh token has already been used or revoked');
  // Bitrix24 answers an expired refresh token like a spent one (protocol §4.4: "bad or expired refresh_token").
  if (record.expiresAtMs <= ctx.now()) throw invalidGrant(ctx, 'Refresh token has expired');
  requireInstalled(ctx, record.memberId, record.clientId);
  record.used = true;
  if (ctx.settings.invalidateAccessTokenOnRefresh) {
    const old = ctx.state.accessTokens.get(record.accessToken);
    if (old) old.revoked = true;
  }
  ctx.state.oauthStats.refreshGrants++;
  return issueTokens(ctx, record);
}

/** grant_type=authorization_code: a code from /oauth/authorize/ (30 s, single use). */
export function authorizationCodeGrant(ctx: EmulatorContext, params: Record<string, unknown>): TokenPair {
  checkClient(ctx, params.client_id, params.client_secret);
  if (typeof params.code !== 'string' || !params.code) throw new OAuthError('invalid_request', 'code is required', 400);
  const record = ctx.state.authCodes.get(params.code);
  if (!record || record.clientId !== params.client_id) throw invalidGrant(ctx, 'Invalid authorization code');
  if (record.used || record.expiresAtMs <= ctx.now()) throw invalidGrant(ctx, 'Authorization code expired or used');
  requireInstalled(ctx, record.memberId, record.clientId);
  record.used = true;
  ctx.state.oauthStats.authorizationCodeGrants++;
  return issueTokens(ctx, record);
}

export function tokenGrant(ctx: EmulatorContext, params: Record<string, unknown>): TokenPair {
  switch (params.grant_type) {
    case 'refresh_token':
      return refreshGrant(ctx, params);
    case 'authorization_code':
      return authorizationCodeGrant(ctx, params);
    default:
      throw new OAuthError('invalid_request', 'Unsupported or missing grant_type', 400);
  }
}

/** An access token presented to a portal (or to app.info on the OAuth host). */
export function resolveAccessToken(ctx: EmulatorContext, token: string | null): AccessTokenRecord {
  if (!token) throw restErrors.noAuth();
  const record = ctx.state.accessTokens.get(token);
  if (!record || record.revoked || !ctx.state.installation(record.memberId, record.clientId)) {
    throw ctx.settings.unknownTokenError === 'invalid_token' ? restErrors.invalidToken() : restErrors.noAuth();
  }
  if (record.expiresAtMs <= ctx.now()) throw restErrors.expiredToken();
  return record;
}

function matching<T extends { memberId: string; clientId: string }>(
  map: Map<string, T>,
  memberId: string,
  clientId?: string,
): T[] {
  return [...map.values()].filter(
    (r) => r.memberId === memberId && (clientId === undefined || r.clientId === clientId),
  );
}

export function expireTokens(ctx: EmulatorContext, memberId: string, clientId?: string): number {
  const past = ctx.now() - 1000;
  const records = matching(ctx.state.accessTokens, memberId, clientId);
  for (const r of records) r.expiresAtMs = Math.min(r.expiresAtMs, past);
  return records.length;
}

export function revokeTokens(ctx: EmulatorContext, memberId: string, clientId?: string): number {
  const access = matching(ctx.state.accessTokens, memberId, clientId);
  const refresh = matching(ctx.state.refreshTokens, memberId, clientId);
  for (const r of access) r.revoked = true;
  for (const r of refresh) r.revoked = true;
  return access.length + refresh.length;
}
