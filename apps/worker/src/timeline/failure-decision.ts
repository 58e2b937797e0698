/**
 * What a failed click attempt leads to, as a pure function of what failed and where the click stands, so every
 * branch is one row of a table test (failure-decision.test.ts) instead of a path through the processor.
 */
import type { Bitrix24ErrorKind } from '@b24app/bitrix24';

export interface FailureFacts {
  /** The portal error's kind, or UNEXPECTED for anything else (a handler bug, a lost database connection). */
  kind: Bitrix24ErrorKind | 'UNEXPECTED';
  b24Code?: string | undefined;
  retryAfterMs?: number | undefined;
  /** BullMQ will not run this job again. */
  finalAttempt: boolean;
  /** The portal row still says ACTIVE (read again after an auth or availability failure). */
  portalActive: boolean;
}

export type FailureDecision =
  /** The activity was deleted: nothing left to unlock. */
  | { do: 'done'; outcome: 'activity_gone' }
  /**
   * Wait for the portal, without spending an attempt or holding a worker slot: for a slot of its bucket
   * (`reserveSlot`: reserve it and wait exactly until it), or until a method's operating budget resets.
   */
  | { do: 'delay'; ms: number; reason: 'rate_limited'; reserveSlot: boolean }
  /** Try again with BullMQ's backoff. */
  | { do: 'retry' }
  /** Retrying the same request cannot help (or no retry is left): show the error state, buttons usable. */
  | { do: 'error_state' }
  /** The portal is really gone: no update is possible; a reinstall requeues the click. */
  | { do: 'failed'; outcome: 'portal_gone' };

const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;

export function decideFailure(f: FailureFacts): FailureDecision {
  switch (f.kind) {
    case 'NOT_FOUND':
      return { do: 'done', outcome: 'activity_gone' };
    case 'RATE_LIMITED':
      return {
        do: 'delay',
        ms: f.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
        reason: 'rate_limited',
        // A bucket slot does not help a method whose operating budget is spent: wait for its reset instead.
        reserveSlot: f.b24Code !== 'OPERATION_TIME_LIMIT',
      };
    case 'TOKEN_REVOKED':
    case 'PORTAL_UNAVAILABLE':
      // Gone means the portal row says so (uninstalled, refresh token revoked) or the portal was deleted. A 401 that
      // survived one resync, an OVERLOAD_LIMIT hold or a 503 on an active portal are temporary: retry.
      if (!f.portalActive || f.b24Code === 'PORTAL_DELETED') return { do: 'failed', outcome: 'portal_gone' };
      return f.finalAttempt ? { do: 'error_state' } : { do: 'retry' };
    case 'TRANSIENT':
      return f.finalAttempt ? { do: 'error_state' } : { do: 'retry' };
    case 'VALIDATION':
    case 'ACCESS_DENIED':
    case 'UNEXPECTED':
      return { do: 'error_state' };
  }
}
