import { AppError, type Logger, sha256Hex, type TokenCipher } from '@b24app/core';
import type { Db, TimelineEventsRepository } from '@b24app/db';
import { encryptTokenColumns } from '@b24app/bitrix24';
import type { HostPolicy } from '../b24/host-policy.js';
import type { FetchAppInfo } from './oauth-app-info.js';

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
}

export interface InstallServiceDeps {
  db: Db;
  clicks: Pick<TimelineEventsRepository, 'requeueAfterReinstall'>;
  cipher: TokenCipher;
  hostPolicy: HostPolicy;
  fetchAppInfo: FetchAppInfo;
  clientId: string;
  /** Binds our event handlers on the portal (runs after the portal is stored). */
  bindEvents: (memberId: string) => Promise<void>;
  /** Drops this process's cached portal client (tokens changed or portal gone). */
  forgetClient: (memberId: string) => void;
  logger: Logger;
}

export interface InstallService {
  install(input: InstallInput): Promise<{ portalId: string; reinstall: boolean }>;
}

/**
 * Install and update, from either source, in any order, any number of times: the portal ends in
 * one consistent row. Nothing is stored and nothing else is called until the host policy accepted
 * every endpoint AND the OAuth server confirmed the tokens belong to our app on that portal.
 */
export function createInstallService(deps: InstallServiceDeps): InstallService {
  const { db, cipher, hostPolicy, logger } = deps;

  async function verify(input: InstallInput): Promise<{ scope: string; appStatus: string | null }> {
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
    return { scope: info.install.scope ?? info.scope ?? input.scope ?? '', appStatus: info.install.status ?? null };
  }

  return {
    async install(input) {
      const verified = await verify(input);
      const tokens = encryptTokenColumns(cipher, {
        accessToken: input.accessToken,
        refreshToken: input.refreshToken,
        expiresAt: input.expiresAt,
      });
      const now = new Date();

      const result = await db.$transaction(async (tx) => {
        // Insert-if-absent then lock: page and event racing for a new portal serialise on the row.
        await tx.$executeRaw`
          INSERT INTO portals (id, member_id, domain, client_endpoint, server_endpoint, updated_at)
          VALUES (gen_random_uuid(), ${input.memberId}, ${input.domain}, ${input.clientEndpoint}, ${input.serverEndpoint}, now())
          ON CONFLICT (member_id) DO NOTHING`;
        const [row] = await tx.$queryRaw<{ id: string; status: string; installed_at: Date | null }[]>`
          SELECT id, status::text AS status, installed_at FROM portals WHERE member_id = ${input.memberId} FOR UPDATE`;
        if (!row) throw new AppError('INTERNAL', 'portal row vanished during install');
        const reinstall = row.status !== 'ACTIVE' || row.installed_at !== null;
        await tx.portal.update({
          where: { memberId: input.memberId },
          data: {
            // The domain may change (portal renamed); member_id stays pinned and the OAuth server confirmed it.
            domain: input.domain.toLowerCase(),
            clientEndpoint: input.clientEndpoint,
            serverEndpoint: input.serverEndpoint,
            scope: verified.scope,
            appStatus: verified.appStatus,
            status: 'ACTIVE',
            statusReason: null,
            ...tokens,
            tokenVersion: { increment: 1 },
            ...(input.applicationToken ? { applicationTokenHash: sha256Hex(input.applicationToken) } : {}),
            installedAt: row.status === 'ACTIVE' && row.installed_at ? row.installed_at : now,
            uninstalledAt: null,
            ...(input.source === 'page' ? { installFinishedAt: now } : {}),
          },
        });
        await tx.portalSettings.upsert({ where: { portalId: row.id }, create: { portalId: row.id }, update: {} });
        // Clicks that came while the portal had no usable tokens are still locked cards: with tokens back,
        // hand them to the relay again so each one ends in its update.
        await deps.clicks.requeueAfterReinstall(tx, row.id);
        return { portalId: row.id, reinstall };
      });

      deps.forgetClient(input.memberId);
      await deps.bindEvents(input.memberId);
      await db.portal.update({ where: { memberId: input.memberId }, data: { eventsBoundAt: new Date() } });
      logger.info({ memberId: input.memberId, source: input.source, reinstall: result.reinstall }, 'portal installed');
      return result;
    },
  };
}
