import { SdkError } from '@bitrix24/b24jssdk';
import { Bitrix24Error, kindOf, restError } from './bitrix24-errors.js';

// Transport failures that prove the request never left (nothing can have been applied).
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Turns whatever the SDK threw into a Bitrix24Error attributed to `method`. Only code, status and the portal's
 * description are kept: the SDK error's `requestInfo` and its non-enumerable `originalError` (the raw axios
 * error with the request body) are dropped. Our own errors raised inside the SDK (refresh, limiter) arrive
 * wrapped as `JSSDK_UNKNOWN_ERROR` and are unwrapped.
 */
export function fromSdkError(e: unknown, method: string, idempotent: boolean): Bitrix24Error {
  if (e instanceof Bitrix24Error) return e.withMethod(method);
  if (e instanceof SdkError) {
    const original = (e as { originalError?: unknown }).originalError;
    if (original instanceof Bitrix24Error) return original.withMethod(method);
    const code = typeof e.code === 'string' && e.code ? e.code : undefined;
    const status = typeof e.status === 'number' ? e.status : undefined;
    const unknownOutcome = !idempotent && kindOf(code, status) === 'TRANSIENT' && !(code && NOT_SENT.has(code));
    return restError({ method, code, status, description: e.message, maybeApplied: unknownOutcome });
  }
  const name = e instanceof Error ? e.name : typeof e;
  return new Bitrix24Error({
    kind: 'TRANSIENT',
    method,
    message: `${method}: unexpected failure (${name})`,
    b24Code: 'UNEXPECTED',
    maybeApplied: !idempotent,
  });
}

/** The first error of an unsuccessful AjaxResult / Result (soft errors the SDK returns instead of throwing). */
export function fromResultErrors(
  errors: Iterable<unknown>,
  method: string,
  idempotent: boolean,
  fallbackStatus?: number,
): Bitrix24Error {
  for (const err of errors) {
    if (err instanceof SdkError && (err.status === undefined || err.status === 0) && fallbackStatus) {
      return restError({ method, code: err.code, status: fallbackStatus, description: err.message });
    }
    return fromSdkError(err, method, idempotent);
  }
  return restError({ method, code: 'ERROR_UNEXPECTED_ANSWER', status: fallbackStatus, description: 'no result' });
}
