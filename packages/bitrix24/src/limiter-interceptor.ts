import { setTimeout as sleepMs } from 'node:timers/promises';
import { Bitrix24Error } from './bitrix24-errors.js';
import type { CallBudgets } from './call-budgets.js';
import type { PortalRateLimiter } from './portal-rate-limiter.js';
import { methodOfUrl, type RequestConfig, requestIdOfUrl } from './portal-request.js';

/**
 * Request interceptor: every HTTP request to the portal (first try, post-refresh replay) first takes a slot
 * of the portal's shared bucket, waiting at most the call's budget (a replay: the default budget). A request
 * that goes out later than its slot by more than the limiter's slack (a stalled event loop woke it late) would
 * arrive bunched with the requests of later slots: it takes a fresh slot instead (at most twice).
 */
export function limiterInterceptor(deps: {
  memberId: string;
  limiter: PortalRateLimiter;
  budgets: CallBudgets;
  defaultMaxWaitMs: number;
}): (config: RequestConfig) => Promise<RequestConfig> {
  return async (config) => {
    const method = methodOfUrl(config.url);
    const maxWaitMs = deps.budgets.take(requestIdOfUrl(config.url)) ?? deps.defaultMaxWaitMs;
    const slackMs = deps.limiter.slackMs(deps.memberId);
    for (let taken = 1; ; taken++) {
      const asked = Date.now();
      let slot: Awaited<ReturnType<PortalRateLimiter['take']>>;
      try {
        slot = await deps.limiter.take(deps.memberId, { method, maxWaitMs });
      } catch {
        throw new Bitrix24Error({
          kind: 'TRANSIENT',
          method,
          b24Code: 'LIMITER_UNAVAILABLE',
          message: `${method}: shared rate limiter unavailable`,
        });
      }
      if (!slot.ok) {
        const operating = slot.reason === 'operating';
        throw new Bitrix24Error({
          kind: 'RATE_LIMITED',
          method,
          b24Code: operating ? 'OPERATION_TIME_LIMIT' : 'RATE_LIMITED',
          retryAfterMs: slot.retryAfterMs,
          message: `${method}: portal ${operating ? 'operating budget' : 'request bucket'} busy, retry in ${slot.retryAfterMs} ms`,
        });
      }
      if (slot.waitMs > 0) await sleepMs(slot.waitMs);
      if (Date.now() - (asked + slot.waitMs) <= slackMs || taken >= 3) return config;
    }
  };
}
