/**
 * The token keep-alive: a portal where nobody clicks for weeks would otherwise lose its refresh token (Bitrix24
 * lets it age out; only a reinstall brings the portal back). A periodic scan finds the installed portals whose
 * refresh token would expire within the window and gives each a refresh job at a random moment of the next
 * interval (jitter: a mass install does not come due as one storm). The refresh goes through the portal's client
 * and its single-flight refresh, so it never races a click's refresh; a refresh meanwhile makes it a no-op.
 *
 * Bitrix24 asks apps not to refresh on a timer ("the application may be blocked"): this refreshes a portal only
 * once its refresh token is near the end of its life, at most once per lifetime, paced across the deployment.
 */
import { isBitrix24Error, type PortalClients, type PrismaTokenStore } from '@b24app/bitrix24';
import type { Logger } from '@b24app/core';

export type KeepAliveOutcome = 'refreshed' | 'renewed_meanwhile' | 'portal_gone' | 'failed';

export interface KeepAliveMetrics {
  /** One keep-alive refresh ended; `code` for the failures (bounded: Bitrix24's code or our kind). */
  refresh(outcome: KeepAliveOutcome, code?: string): void;
  /** Portals the last scan found due. */
  due(count: number): void;
}

export interface KeepAlivePolicy {
  /** Lifetime assumed for a refresh token from its issue. */
  refreshTtlSec: number;
  /** Refresh when the token would expire within this long. */
  windowSec: number;
  /** Refresh jobs of one scan are spread over this long. */
  jitterMs: number;
  /** Most portals one scan hands out. */
  batch?: number;
}

export function createTokenKeepAlive(deps: {
  store: Pick<PrismaTokenStore, 'keepAliveDue' | 'noteKeepAliveFailure'>;
  clients: Pick<PortalClients, 'keepAlive'>;
  /** Adds the portal's refresh job after `delayMs` (one waiting job per portal). */
  enqueue(memberId: string, delayMs: number): Promise<void>;
  policy: KeepAlivePolicy;
  logger: Logger;
  metrics?: KeepAliveMetrics;
  now?: () => number;
  random?: () => number;
}) {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const { policy } = deps;
  /** Refresh tokens issued before this are due (ms). */
  const cutoff = () => now() - (policy.refreshTtlSec - policy.windowSec) * 1000;

  return {
    /** Hands every due portal a jittered refresh job; returns how many were due. */
    async scan(): Promise<number> {
      const due = await deps.store.keepAliveDue(new Date(cutoff()), policy.batch ?? 1_000);
      for (const p of due) await deps.enqueue(p.memberId, Math.floor(random() * policy.jitterMs));
      deps.metrics?.due(due.length);
      if (due.length > 0) deps.logger.info({ due: due.length }, 'token keep-alive: portals due');
      return due.length;
    },

    /**
     * Renews the portal's refresh token unless it was renewed since it came due. A dead refresh token marks the
     * portal NEEDS_REINSTALL (the refresh coordinator does, as on any refresh); any other failure is thrown for a
     * retry and, on the last attempt, noted on the portal (still ACTIVE) for the operations view.
     */
    async refresh(memberId: string, opts: { finalAttempt: boolean }): Promise<KeepAliveOutcome> {
      const log = deps.logger.child({ memberId });
      try {
        const outcome = await deps.clients.keepAlive(memberId, Math.floor(cutoff() / 1000));
        deps.metrics?.refresh(outcome);
        log.info({ outcome }, 'token keep-alive');
        return outcome;
      } catch (e) {
        const code = isBitrix24Error(e) ? (e.b24Code ?? e.kind) : 'UNEXPECTED';
        if (isBitrix24Error(e) && e.kind === 'TOKEN_REVOKED') {
          // invalid_grant: marked NEEDS_REINSTALL by the refresh; PORTAL_NOT_ACTIVE: uninstalled meanwhile.
          const outcome = e.b24Code === 'PORTAL_NOT_ACTIVE' ? 'portal_gone' : 'failed';
          deps.metrics?.refresh(outcome, code);
          log.warn({ code }, 'token keep-alive: the refresh token is dead, the portal needs a reinstall');
          return outcome;
        }
        deps.metrics?.refresh('failed', code);
        log.warn({ code, finalAttempt: opts.finalAttempt }, 'token keep-alive refresh failed');
        if (opts.finalAttempt) await deps.store.noteKeepAliveFailure(memberId, `token keep-alive failed: ${code}`);
        throw e;
      }
    },
  };
}

export type TokenKeepAlive = ReturnType<typeof createTokenKeepAlive>;
