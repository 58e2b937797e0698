import type { PortalRateLimiter } from './portal-rate-limiter.js';
import { methodOfUrl } from './portal-request.js';

/**
 * Response interceptor: records the `time.operating` a portal reports for each method, so the limiter
 * blocks a method whose operating budget is spent before the portal has to (protocol: OPERATION_TIME_LIMIT).
 */
export function operatingTimeRecorder(deps: { memberId: string; limiter: PortalRateLimiter }) {
  return async <R extends { config?: { url?: string }; data?: unknown }>(response: R): Promise<R> => {
    const time = (response.data as { time?: { operating?: unknown; operating_reset_at?: unknown } } | undefined)?.time;
    const operating = Number(time?.operating);
    const resetAt = Number(time?.operating_reset_at);
    if (Number.isFinite(operating) && Number.isFinite(resetAt)) {
      // Best effort: the portal stays the authority and answers 429 if we are wrong.
      await deps.limiter
        .noteOperating(deps.memberId, methodOfUrl(response.config?.url), operating, resetAt)
        .catch(() => undefined);
    }
    return response;
  };
}
