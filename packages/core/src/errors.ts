/**
 * Errors with stable codes. Code names are part of our public interface (API error bodies, logs,
 * metrics), so they never change meaning. HTTP mapping happens in exactly one place: each app's
 * error handler calls `httpStatusOf`.
 */
export const ERROR_HTTP_STATUS = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  /** A portal API key named another portal (`memberId` of the body): a key acts on its own portal only. */
  PORTAL_MISMATCH: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PORTAL_NOT_INSTALLED: 409,
  UNTRUSTED_HOST: 400,
  INSTALL_VERIFICATION_FAILED: 401,
  /** The portal's Bitrix24 REST bucket is full (we would exceed Bitrix24's limit on the caller's behalf). */
  RATE_LIMITED: 429,
  /** Our own per-key limit of the integrations API: this API key sends too many requests. */
  API_RATE_LIMITED: 429,
  /** A genuine robot run we cannot act on (not our robot, not a CRM item, bad properties): recorded, not acted on. */
  ROBOT_RUN_REFUSED: 422,
  /** The portal refused what we asked on the caller's behalf (bad owner, bad field...). */
  UPSTREAM_REJECTED: 422,
  /** A decision callback URL we will not call (not https, a private address, unresolvable). */
  CALLBACK_URL_REFUSED: 422,
  SERVICE_UNAVAILABLE: 503,
  UPSTREAM_UNAVAILABLE: 503,
  CONFIG_INVALID: 500,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, options?: { details?: unknown; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options?.details;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

export function httpStatusOf(e: unknown): number {
  return isAppError(e) ? ERROR_HTTP_STATUS[e.code] : 500;
}

/** The body every app answers with on error: a stable code and a readable message, never a stack. */
export function errorBody(e: unknown): { error: { code: ErrorCode; message: string; details?: unknown } } {
  if (isAppError(e)) {
    return { error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } };
  }
  return { error: { code: 'INTERNAL', message: 'Internal error' } };
}
