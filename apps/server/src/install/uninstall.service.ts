import type { Logger } from '@b24app/core';
import type { ApiKeysRepository, Db, RobotRunsRepository, TimelineEventsRepository } from '@b24app/db';
import type { PrismaTokenStore } from '@b24app/bitrix24';
import { verifyApplicationToken } from '../b24/verify-application-token.js';

export interface UninstallServiceDeps {
  db: Db;
  clicks: Pick<TimelineEventsRepository, 'purgePortal'>;
  apiKeys: Pick<ApiKeysRepository, 'purgePortal' | 'revokeAllOfPortal'>;
  robotRuns: Pick<RobotRunsRepository, 'purgePortal'>;
  /** The one writer of the token columns. */
  tokens: PrismaTokenStore;
  forgetClient: (memberId: string) => void;
  logger: Logger;
}

/**
 * ONAPPUNINSTALL carries no tokens: application_token is the only check, so it comes first and a
 * forged uninstall changes nothing. Then the tokens go at once; with CLEAN=1 the portal's data too.
 * An uninstall older (`ts`) than the latest install is a late delivery of Bitrix24's queue after a
 * reinstall: it changes nothing. Repeating it is harmless.
 */
export function createUninstallService(deps: UninstallServiceDeps) {
  return {
    async uninstall(input: {
      memberId: string;
      applicationToken: string;
      clean: boolean;
      eventTs?: number | undefined;
    }): Promise<{ ignored?: 'older_than_install' }> {
      await verifyApplicationToken(deps.db, input.memberId, input.applicationToken);
      const outcome = await deps.tokens.revoke(input.memberId, {
        status: 'UNINSTALLED',
        reason: input.clean ? 'uninstalled (data removed)' : 'uninstalled',
        eventTs: input.eventTs,
        ...(input.clean
          ? {
              // Approvals before their clicks: the order a decision locks them (approval, then its click),
              // so a purge and a decision wait for each other instead of deadlocking.
              purge: async (tx, portalId) => {
                await tx.approval.deleteMany({ where: { portalId } });
                await deps.clicks.purgePortal(tx, portalId);
                await deps.robotRuns.purgePortal(tx, portalId);
                await tx.portalSettings.deleteMany({ where: { portalId } });
                await deps.apiKeys.purgePortal(tx, portalId);
              },
            }
          : {}),
      });
      if (!outcome.revoked) {
        deps.logger.info(
          { memberId: input.memberId, clean: input.clean },
          'uninstall ignored: older than the latest install',
        );
        return { ignored: 'older_than_install' };
      }
      // The administrator removed the app: its portal's API keys stop, and a reinstall does not bring them back.
      if (!input.clean) await deps.apiKeys.revokeAllOfPortal(outcome.portalId);
      deps.forgetClient(input.memberId);
      deps.logger.info({ memberId: input.memberId, clean: input.clean }, 'portal uninstalled');
      return {};
    },
  };
}

export type UninstallService = ReturnType<typeof createUninstallService>;
