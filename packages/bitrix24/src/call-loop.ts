import { setTimeout as sleepMs } from 'node:timers/promises';
import type { Logger } from '@b24app/core';
import { Bitrix24Error } from './bitrix24-errors.js';
import type { PortalRateLimiter } from './portal-rate-limiter.js';
import { decideRetry, type RetryOptions } from './retry-policy.js';
import { fromSdkError } from './sdk-error-mapping.js';

export interface CallLoopDeps {
  memberId: string;
  limiter: PortalRateLimiter;
  retry: Omit<RetryOptions, 'idempotent'>;
  log: Logger;
  /** The portal's tokens are known dead (checked after every failure). */
  dead(): Bitrix24Error | undefined;
  /** Brings the SDK's tokens up to date (refresh or adopt), through the single flight. */
  resync(): Promise<void>;
  expiringSoon(): boolean;
}

/**
 * The retry loop around one logical call: proactive refresh, one resync on NO_AUTH_FOUND, the limiter told of
 * the portal's refusals, retries as the policy decides, and a typed Bitrix24Error at the end.
 */
export async function runCall<T>(
  deps: CallLoopDeps,
  call: { method: string; idempotent: boolean },
  attempt: () => Promise<T>,
): Promise<T> {
  const { method, idempotent } = call;
  const dead = deps.dead();
  if (dead) throw dead.withMethod(method);
  let authRetried = false;
  for (let failures = 0; ; ) {
    try {
      if (deps.expiringSoon()) await deps.resync();
      return await attempt();
    } catch (e) {
      const err = fromSdkError(e, method, idempotent);
      failures += 1;
      if (err.b24Code === 'QUERY_LIMIT_EXCEEDED') await deps.limiter.noteExceeded(deps.memberId);
      if (err.b24Code === 'OPERATION_TIME_LIMIT') await deps.limiter.noteOperationLimit(deps.memberId, method);
      // The SDK replays once after expired_token/invalid_token itself; NO_AUTH_FOUND it does not, yet it is
      // what a token replaced elsewhere can answer: resync (adopt or refresh) and replay once.
      if (err.b24Code === 'NO_AUTH_FOUND' && !authRetried && !deps.dead()) {
        authRetried = true;
        failures -= 1;
        await deps.resync().catch(() => undefined);
        if (!deps.dead()) continue;
      }
      const gone = deps.dead();
      if (gone) throw gone.withMethod(method);
      const decision = decideRetry(err, failures, { ...deps.retry, idempotent });
      if (!decision.retry) {
        deps.log.warn(
          { method, kind: err.kind, b24Code: err.b24Code, status: err.status, attempts: failures },
          'bitrix24 call failed',
        );
        if (err.kind === 'RATE_LIMITED' && err.retryAfterMs === undefined) {
          // The portal kept refusing: tell the caller at least one drain interval.
          const drain = deps.limiter.policyOf(deps.memberId).drainPerSec;
          throw new Bitrix24Error({ ...err.toInit(), retryAfterMs: Math.ceil(1000 / drain) });
        }
        throw err;
      }
      deps.log.info(
        { method, b24Code: err.b24Code, status: err.status, attempt: failures, delayMs: decision.delayMs },
        'bitrix24 call retried',
      );
      if (decision.delayMs > 0) await sleepMs(decision.delayMs);
    }
  }
}
