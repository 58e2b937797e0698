import type { Logger } from '@b24app/core';
import type { Db, TimelineEventsRepository } from '@b24app/db';
import { verifyApplicationToken } from '../b24/verify-application-token.js';

export interface UninstallServiceDeps {
  db: Db;
  clicks: Pick<TimelineEventsRepository, 'purgePortal'>;
  forgetClient: (memberId: string) => void;
  logger: Logger;
}

/**
 * ONAPPUNINSTALL carries no tokens: application_token is the only check, so it comes first and a
 * forged uninstall changes nothing. Then the tokens go at once; with CLEAN=1 the portal's data too.
 * Repeating it is harmless.
 */
export function createUninstallService(deps: UninstallServiceDeps) {
  return {
    async uninstall(input: { memberId: string; applicationToken: string; clean: boolean }): Promise<void> {
      const portal = await verifyApplicationToken(deps.db, input.memberId, input.applicationToken);
      await deps.db.$transaction(async (tx) => {
        await tx.portal.update({
          where: { id: portal.id },
          data: {
            status: 'UNINSTALLED',
            statusReason: input.clean ? 'uninstalled (data removed)' : 'uninstalled',
            accessTokenEnc: null,
            refreshTokenEnc: null,
            accessExpiresAt: null,
            tokenVersion: { increment: 1 },
            uninstalledAt: new Date(),
            eventsBoundAt: null,
          },
        });
        if (input.clean) {
          await deps.clicks.purgePortal(tx, portal.id);
          await tx.approval.deleteMany({ where: { portalId: portal.id } });
          await tx.portalSettings.deleteMany({ where: { portalId: portal.id } });
        }
      });
      deps.forgetClient(input.memberId);
      deps.logger.info({ memberId: input.memberId, clean: input.clean }, 'portal uninstalled');
    },
  };
}

export type UninstallService = ReturnType<typeof createUninstallService>;
