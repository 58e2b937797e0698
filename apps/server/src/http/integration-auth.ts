import { AppError, constantTimeEqual } from '@b24app/core';
import type { ApiKeysRepository } from '@b24app/db';
import type { RequestHandler, Response } from 'express';
import type { ApiKeyRateLimiter } from '../api-keys/api-key-rate-limiter.js';

/**
 * Who calls the integrations API. The operator's `API_TOKEN` acts on every portal (a body names the portal);
 * a portal's own API key acts on that portal only.
 */
export type ApiCaller =
  | { kind: 'operator' }
  | { kind: 'portal-key'; keyId: string; portalId: string; memberId: string };

/** What `integrationAuth` proved for this request. */
export const callerOf = (res: Response): ApiCaller => res.locals.apiCaller as ApiCaller;

/**
 * `Authorization: Bearer <API_TOKEN | portal API key>` on /api/v1. The operator token is compared in constant
 * time; a portal key is looked up in the database on every request (no cache: a revoke holds at once on every
 * replica), then counted against its own rate limit. The operator token has no rate limit of ours.
 */
export function integrationAuth(deps: {
  apiToken: string;
  keys: Pick<ApiKeysRepository, 'verify'>;
  limiter: ApiKeyRateLimiter;
}): RequestHandler {
  return async (req, res, next) => {
    try {
      const presented = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1]?.trim();
      if (!presented) throw new AppError('UNAUTHORIZED', 'missing or invalid bearer token');
      if (constantTimeEqual(presented, deps.apiToken)) {
        res.locals.apiCaller = { kind: 'operator' } satisfies ApiCaller;
        next();
        return;
      }
      const key = await deps.keys.verify(presented);
      if (!key) throw new AppError('UNAUTHORIZED', 'missing or invalid bearer token (or the API key was revoked)');
      const slot = await deps.limiter.take(key.id);
      if (!slot.ok) {
        throw new AppError('API_RATE_LIMITED', 'this API key sends too many requests; retry after Retry-After', {
          details: { retryAfterMs: slot.retryAfterMs },
        });
      }
      res.locals.apiCaller = {
        kind: 'portal-key',
        keyId: key.id,
        portalId: key.portalId,
        memberId: key.memberId,
      } satisfies ApiCaller;
      next();
    } catch (e) {
      next(e);
    }
  };
}
