import { AppError } from '@b24app/core';
import { isBitrix24Error } from '@b24app/bitrix24';

/** A portal's answer, translated to what our caller can act on. Part of the one error mapping. */
export function fromBitrix24(e: unknown): unknown {
  if (!isBitrix24Error(e)) return e;
  const where = `Bitrix24 ${e.method}`;
  switch (e.kind) {
    case 'VALIDATION':
      return new AppError('UPSTREAM_REJECTED', `${where} rejected the request: ${e.message}`, {
        details: { b24Code: e.b24Code, method: e.method },
      });
    case 'NOT_FOUND':
      return new AppError('NOT_FOUND', `${where}: not found (it may have been deleted)`, {
        details: { b24Code: e.b24Code, method: e.method },
      });
    case 'ACCESS_DENIED':
      // What a non-admin gets for badges: Bitrix24's own refusal, said so, with its code for the page to localize.
      return new AppError('FORBIDDEN', `${where}: Bitrix24 refused access; this needs rights you do not have`, {
        details: { b24Code: e.b24Code, method: e.method },
      });
    case 'RATE_LIMITED':
      return new AppError('RATE_LIMITED', `${where}: the portal's rate limit is reached, retry later`, {
        details: { retryAfterMs: e.retryAfterMs },
      });
    case 'TOKEN_REVOKED':
    case 'PORTAL_UNAVAILABLE':
      return new AppError('PORTAL_NOT_INSTALLED', 'the app must be reinstalled on this portal');
    default:
      return new AppError('UPSTREAM_UNAVAILABLE', `${where} is unavailable, retry later`);
  }
}
