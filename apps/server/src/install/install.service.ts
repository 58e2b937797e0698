import { AppError, type Logger } from '@b24app/core';
import type { Db, TimelineEventsRepository } from '@b24app/db';
import type { PrismaTokenStore } from '@b24app/bitrix24';
import type { HostPolicy } from '../b24/host-policy.js';
import type { FetchAppInfo } from './oauth-app-info.js';
import type { CheckPortalAdmin } from './portal-admin-check.js';

/** What an install, from the page or from ONAPPINSTALL/ONAPPUPDATE, tells us about a portal. */
export interface InstallInput {
  source: 'page' | 'ONAPPINSTALL' | 'ONAPPUPDATE';
  memberId: string;
  domain: string;
  clientEndpoint: string;
  serverEndpoint: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: number; // unix seconds
  applicationToken?: string | undefined;
  scope?: string | undefined;
  /** Bitrix24's `ts` of the event (unix seconds); the page has none. */
  eventTs?: number | undefined;
}

export interface InstallServiceDeps {
  db: Db;
  clicks: Pick<TimelineEventsRepository, 'requeueAfterReinstall'>;
  /** The one writer of the token columns. */
  tokens: PrismaTokenStore;
  hostPolicy: HostPolicy;
  fetchAppInfo: FetchAppInfo;
  checkPortalAdmin: CheckPortalAdmin;
  clientId: string;
  /**
   * Binds our event handlers (and registers what else the portal must know of us) after the portal is stored;
   * `installerId` is the administrator Bitrix24 vouched for (null when app.info did not name one).
   */
  bindEvents: (memberId: string, installer: { installerId: number | null }) => Promise<void>;
  /** Drops this process's cached portal client (tokens changed or portal gone). */
  forgetClient: (memberId: string) => void;
  logger: Logger;
}

export interface InstallService {
  install(input: InstallInput): Promise<{ portalId: string; reinstall: boolean; ignored?: 'older_than_stored' }>;
}

/**
 * Install and update, from either source, in any order, any number of times: the portal ends in
 * one consistent row. Nothing is stored and nothing else is called until the host policy accepted
 * every endpoint, the OAuth server confirmed the tokens belong to our app on that portal, AND the
 * portal confirmed their user is an administrator (any user who opens the app holds such tokens).
 */
export function createInstallService(deps: InstallServiceDeps): InstallService {
  const { db, hostPolicy, logger } = deps;

  async function verify(
    input: InstallInput,
  ): Promise<{ scope: string; appStatus: string | null; installerId: number | null }> {
    // 1. Hosts first: no outbound call to a host we do not trust (SSRF).
    const oauth = hostPolicy.oauthEndpoint(input.serverEndpoint);
    const portal = hostPolicy.portalEndpoint(input.clientEndpoint);
    if (portal.host !== input.domain.toLowerCase()) {
      throw new AppError('UNTRUSTED_HOST', 'portal domain and client endpoint disagree');
    }
    // 2. The OAuth server vouches for the tokens.
    const info = await deps.fetchAppInfo(oauth, input.accessToken);
    if (info.client_id !== deps.clientId) {
      throw new AppError('INSTALL_VERIFICATION_FAILED', 'the tokens were issued to another application');
    }
    if (info.install.member_id !== input.memberId) {
      throw new AppError('INSTALL_VERIFICATION_FAILED', 'the tokens belong to another portal');
    }
    if (info.install.domain.toLowerCase() !== input.domain.toLowerCase()) {
      throw new AppError('INSTALL_VERIFICATION_FAILED', 'the portal domain does not match the OAuth server');
    }
    // 3. The portal vouches for the user: only an administrator installs or updates an app.
    if (!(await deps.checkPortalAdmin(portal, input.accessToken))) {
      throw new AppError('FORBIDDEN', 'only a portal administrator can install or update the application');
    }
    const installerId = Number(info.user_id);
    return {
      scope: info.install.scope ?? info.scope ?? input.scope ?? '',
      appStatus: info.install.status ?? null,
      installerId: Number.isInteger(installerId) && installerId > 0 ? installerId : null,
    };
  }

  return {
    async install(input) {
      const verified = await verify(input);
      const outcome = await deps.tokens.install(
        {
          memberId: input.memberId,
          domain: input.domain.toLowerCase(),
          clientEndpoint: input.clientEndpoint,
          serverEndpoint: input.serverEndpoint,
          scope: verified.scope,
          appStatus: verified.appStatus,
          tokens: { accessToken: input.accessToken, refreshToken: input.refreshToken, expiresAt: input.expiresAt },
          applicationToken: input.applicationToken,
          eventTs: input.eventTs,
          finished: input.source === 'page',
          requireStoredApplicationToken: input.source === 'ONAPPUPDATE',
        },
        async (tx, portalId) => {
          await tx.portalSettings.upsert({ where: { portalId }, create: { portalId }, update: {} });
          // Clicks that came while the portal had no usable tokens are still locked cards: with tokens back,
          // hand them to the relay again so each one ends in its update.
          await deps.clicks.requeueAfterReinstall(tx, portalId);
        },
      );
      if (!outcome.stored) {
        logger.info({ memberId: input.memberId, source: input.source }, 'install ignored: stored tokens are newer');
        return { portalId: outcome.portalId, reinstall: true, ignored: outcome.reason };
      }

      deps.forgetClient(input.memberId);
      await deps.bindEvents(input.memberId, { installerId: verified.installerId });
      await db.portal.update({ where: { memberId: input.memberId }, data: { eventsBoundAt: new Date() } });
      logger.info({ memberId: input.memberId, source: input.source, reinstall: outcome.reinstall }, 'portal installed');
      return { portalId: outcome.portalId, reinstall: outcome.reinstall };
    },
  };
}
