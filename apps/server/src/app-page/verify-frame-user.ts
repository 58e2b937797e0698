/**
 * Who is opening the app page, proven by Bitrix24, before anything is shown. The frame POST claims a portal
 * (member_id, DOMAIN) and carries the acting user's AUTH_ID. We trust only the stored, installed portal: its
 * OAuth server (`app.info`) must confirm the token was issued to our app for that portal (and that user, when
 * it says), then the portal's `profile` with the same token names the user and says whether they are an admin.
 * Every outbound URL comes from the stored portal row (accepted by the host policy at install), never from the
 * request, and the app's own stored tokens are not used.
 */
import { AppError } from '@b24app/core';
import type { Db } from '@b24app/db';
import { isBitrix24Error } from '@b24app/bitrix24';
import type { HostPolicy } from '../b24/host-policy.js';
import type { FetchAppInfo } from '../install/oauth-app-info.js';
import type { AppFrame } from './app-frame.schemas.js';
import type { UserRestCall } from './user-rest.js';

export interface FrameUser {
  portalId: string;
  memberId: string;
  domain: string;
  clientEndpoint: string;
  userId: number;
  admin: boolean;
  userName: string;
}

export type VerifyFrameUser = (frame: AppFrame) => Promise<FrameUser>;

interface Profile {
  ID?: string | number;
  ADMIN?: boolean | string;
  NAME?: string;
  LAST_NAME?: string;
}

export function createFrameUserVerifier(deps: {
  db: Db;
  hostPolicy: HostPolicy;
  fetchAppInfo: FetchAppInfo;
  userRest: UserRestCall;
  clientId: string;
}): VerifyFrameUser {
  const refused = (why: string) => new AppError('UNAUTHORIZED', why);
  return async (frame) => {
    const memberId = frame.body.member_id.toLowerCase();
    const portal = await deps.db.portal.findUnique({ where: { memberId } });
    if (!portal || portal.status === 'UNINSTALLED') {
      throw new AppError('PORTAL_NOT_INSTALLED', 'The app is not installed on this portal.');
    }
    if (portal.domain.toLowerCase() !== frame.query.DOMAIN.toLowerCase()) {
      throw refused('This request does not come from the portal it names.');
    }
    const oauth = deps.hostPolicy.oauthEndpoint(portal.serverEndpoint);
    const endpoint = deps.hostPolicy.portalEndpoint(portal.clientEndpoint).href;
    const token = frame.body.AUTH_ID;

    let info: Awaited<ReturnType<FetchAppInfo>>;
    try {
      info = await deps.fetchAppInfo(oauth, token);
    } catch (e) {
      if (e instanceof AppError && e.code === 'SERVICE_UNAVAILABLE') throw e;
      throw refused('Bitrix24 did not confirm your sign-in.');
    }
    if (info.client_id !== deps.clientId || info.install.member_id.toLowerCase() !== memberId) {
      throw refused('Bitrix24 did not confirm your sign-in for this app on this portal.');
    }
    if (info.install.domain.toLowerCase() !== portal.domain.toLowerCase()) {
      throw refused('Bitrix24 did not confirm your sign-in for this portal.');
    }

    let profile: Profile;
    try {
      profile = await deps.userRest<Profile>(endpoint, token, 'profile');
    } catch (e) {
      if (isBitrix24Error(e) && e.kind === 'TRANSIENT') {
        throw new AppError('UPSTREAM_UNAVAILABLE', 'Bitrix24 is not answering; please try again.');
      }
      throw refused('Bitrix24 did not confirm your sign-in.');
    }
    const userId = Number(profile.ID);
    if (!Number.isInteger(userId) || userId <= 0) throw refused('Bitrix24 did not name the signed-in user.');
    if (info.user_id !== undefined && Number(info.user_id) !== userId) {
      throw refused('Bitrix24 named another user for this sign-in.');
    }
    return {
      portalId: portal.id,
      memberId,
      domain: portal.domain,
      clientEndpoint: endpoint,
      userId,
      admin: profile.ADMIN === true || profile.ADMIN === 'Y' || profile.ADMIN === 'true',
      userName: [profile.NAME, profile.LAST_NAME].filter(Boolean).join(' ').slice(0, 200) || `#${userId}`,
    };
  };
}
