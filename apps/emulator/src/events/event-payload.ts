import { type EmulatorContext, oauthServerEndpoint } from '../emulator-context.js';
import { issueTokens } from '../oauth/token-service.js';
import type { AppRecord, EventBinding, Installation, Portal } from '../state/model.js';
import { EVENTS_WITH_REFRESH_TOKEN, EVENTS_WITHOUT_AUTH } from './event-catalog.js';

// Builds one event POST body in the captured key order:
// event, event_handler_id, data…, ts, auth[access_token, expires, expires_in, scope, domain, server_endpoint,
// status, client_endpoint, member_id, user_id, (refresh_token), application_token].

export interface EventPayloadInput {
  portal: Portal;
  app: AppRecord;
  installation: Installation;
  binding: EventBinding;
  event: string;
  data: Record<string, unknown>;
  /** the user whose hit caused the event; null for robots/agents (no tokens then) */
  actingUserId: number | null;
}

function identityAuth(ctx: EmulatorContext, portal: Portal, inst: Installation): Record<string, string> {
  return {
    domain: portal.domain,
    server_endpoint: oauthServerEndpoint(ctx),
    client_endpoint: portal.clientEndpoint,
    member_id: portal.memberId,
    application_token: inst.applicationToken,
  };
}

export function buildEventAuth(ctx: EmulatorContext, input: EventPayloadInput): Record<string, string> {
  const { portal, app, installation, binding, event } = input;
  if (EVENTS_WITHOUT_AUTH.has(event)) return identityAuth(ctx, portal, installation);
  // a handler bound with auth_type gets tokens of that user, not of the acting one
  const userId = binding.authType > 0 ? binding.authType : input.actingUserId;
  if (userId === null || !portal.users.has(userId)) return identityAuth(ctx, portal, installation);
  return userAuth(ctx, { portal, app, installation, userId, withRefreshToken: EVENTS_WITH_REFRESH_TOKEN.has(event) });
}

/** A fresh token pair of `userId` as an `auth[…]` block, in the captured key order (events and robot calls). */
export function userAuth(
  ctx: EmulatorContext,
  o: { portal: Portal; app: AppRecord; installation: Installation; userId: number; withRefreshToken: boolean },
): Record<string, string> {
  const { portal, app } = o;
  const pair = issueTokens(ctx, { memberId: portal.memberId, clientId: app.clientId, userId: o.userId });
  const auth: Record<string, string> = {
    access_token: pair.access.token,
    expires: String(Math.floor(pair.access.expiresAtMs / 1000)),
    expires_in: String(ctx.settings.accessTokenTtlSec),
    scope: app.scope,
    domain: portal.domain,
    server_endpoint: oauthServerEndpoint(ctx),
    status: app.status,
    client_endpoint: portal.clientEndpoint,
    member_id: portal.memberId,
    user_id: String(o.userId),
  };
  if (o.withRefreshToken) auth.refresh_token = pair.refresh.token;
  auth.application_token = o.installation.applicationToken;
  return auth;
}

export function buildEventPayload(ctx: EmulatorContext, input: EventPayloadInput): Record<string, unknown> {
  return {
    event: input.event,
    event_handler_id: String(input.binding.id),
    data: input.data,
    ts: String(Math.floor(ctx.now() / 1000)),
    auth: buildEventAuth(ctx, input),
  };
}
