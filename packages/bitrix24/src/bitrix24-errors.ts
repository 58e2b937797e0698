/**
 * The small set of typed errors every portal call can end in, so callers branch on `kind` instead of parsing
 * Bitrix24's strings. Mapped from the documented error table (protocol notes §5.3, §6, §7.2) and, for codes we
 * do not know, from the HTTP status.
 *
 * Nothing here ever holds a token: the SDK's errors carry request data (params, the raw axios error in a
 * non-enumerable field), so we copy only the code, status and portal description and drop the rest.
 */
export type Bitrix24ErrorKind =
  | 'RATE_LIMITED'
  | 'TOKEN_REVOKED'
  | 'NOT_FOUND'
  | 'ACCESS_DENIED'
  | 'VALIDATION'
  | 'TRANSIENT'
  | 'PORTAL_UNAVAILABLE';

export interface Bitrix24ErrorInit {
  kind: Bitrix24ErrorKind;
  method: string;
  message: string;
  b24Code?: string;
  status?: number;
  retryAfterMs?: number;
  /** A non-idempotent call failed in a way that leaves its outcome unknown (timeout, 5xx, dropped connection). */
  maybeApplied?: boolean;
}

export class Bitrix24Error extends Error {
  readonly kind: Bitrix24ErrorKind;
  readonly method: string;
  readonly b24Code?: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly maybeApplied: boolean;

  constructor(init: Bitrix24ErrorInit) {
    super(init.message);
    this.name = 'Bitrix24Error';
    this.kind = init.kind;
    this.method = init.method;
    if (init.b24Code !== undefined) this.b24Code = init.b24Code;
    if (init.status !== undefined) this.status = init.status;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    this.maybeApplied = init.maybeApplied ?? false;
  }

  /** Worth trying again later (possibly after `retryAfterMs`). */
  get retryable(): boolean {
    return this.kind === 'TRANSIENT' || this.kind === 'RATE_LIMITED';
  }

  /** The same error attributed to another method (errors raised while refreshing belong to the call that asked). */
  withMethod(method: string): Bitrix24Error {
    if (method === this.method) return this;
    const copy = new Bitrix24Error({ ...this.toInit(), method });
    copy.stack = this.stack;
    return copy;
  }

  toInit(): Bitrix24ErrorInit {
    return {
      kind: this.kind,
      method: this.method,
      message: this.message,
      ...(this.b24Code === undefined ? {} : { b24Code: this.b24Code }),
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      maybeApplied: this.maybeApplied,
    };
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, ...this.toInit() };
  }
}

export const isBitrix24Error = (e: unknown): e is Bitrix24Error => e instanceof Bitrix24Error;

// Codes from the documented tables. Case matters for the OAuth ones (lower-case on the wire).
const CODE_KIND: Record<string, Bitrix24ErrorKind> = {
  QUERY_LIMIT_EXCEEDED: 'RATE_LIMITED',
  OPERATION_TIME_LIMIT: 'RATE_LIMITED',

  expired_token: 'TOKEN_REVOKED',
  invalid_token: 'TOKEN_REVOKED',
  invalid_grant: 'TOKEN_REVOKED',
  NO_AUTH_FOUND: 'TOKEN_REVOKED',
  INVALID_CREDENTIALS: 'TOKEN_REVOKED',

  NOT_FOUND: 'NOT_FOUND',
  ERROR_ENTITY_NOT_FOUND: 'NOT_FOUND',
  ERROR_METHOD_NOT_FOUND: 'NOT_FOUND',
  OWNER_NOT_FOUND: 'NOT_FOUND',
  ERROR_MANIFEST_IS_NOT_AVAILABLE: 'NOT_FOUND',

  ACCESS_DENIED: 'ACCESS_DENIED',
  insufficient_scope: 'ACCESS_DENIED',
  user_access_error: 'ACCESS_DENIED',
  WRONG_AUTH_TYPE: 'ACCESS_DENIED',
  ERROR_WRONG_CONTEXT: 'ACCESS_DENIED',
  ERROR_WRONG_APPLICATION: 'ACCESS_DENIED',
  allowed_only_intranet_user: 'ACCESS_DENIED',
  invalid_client: 'ACCESS_DENIED',

  '100': 'VALIDATION',
  ERROR_CORE: 'VALIDATION',
  ERROR_ARGUMENT: 'VALIDATION',
  INVALID_ARG_VALUE: 'VALIDATION',
  INVALID_REQUEST: 'VALIDATION',
  REQUIRED_ARG_MISSING: 'VALIDATION',
  WRONG_FIELD_VALUE: 'VALIDATION',
  FIELD_IS_REQUIRED: 'VALIDATION',
  TOO_MANY_ITEMS: 'VALIDATION',
  KEY_CONTAIN_WRONG_SYMBOLS: 'VALIDATION',
  ERROR_EMPTY_LAYOUT: 'VALIDATION',
  INCOMING_ACTIVITY_CAN_NOT_BE_WITH_DEADLINE: 'VALIDATION',
  UNSUITABLE_TIMELINE_ITEM: 'VALIDATION',
  ERROR_BATCH_LENGTH_EXCEEDED: 'VALIDATION',
  ERROR_BATCH_METHOD_NOT_ALLOWED: 'VALIDATION',
  ERROR_EVENT_NOT_FOUND: 'VALIDATION',
  ERROR_HANDLER_ALREADY_EXIST: 'VALIDATION',
  ERROR_UNSUPPORTED_PROTOCOL: 'VALIDATION',
  ERROR_WRONG_HANDLER_URL: 'VALIDATION',
  JSSDK_BATCH_TOO_LARGE: 'VALIDATION',
  JSSDK_BATCH_EMPTY: 'VALIDATION',
  JSSDK_INVALID_PARAMS: 'VALIDATION',

  INTERNAL_SERVER_ERROR: 'TRANSIENT',
  ERROR_UNEXPECTED_ANSWER: 'TRANSIENT',
  NETWORK_ERROR: 'TRANSIENT',
  REQUEST_TIMEOUT: 'TRANSIENT',
  ECONNRESET: 'TRANSIENT',
  ECONNREFUSED: 'TRANSIENT',
  ETIMEDOUT: 'TRANSIENT',
  ECONNABORTED: 'TRANSIENT',
  EPIPE: 'TRANSIENT',

  PORTAL_DELETED: 'PORTAL_UNAVAILABLE',
  OVERLOAD_LIMIT: 'PORTAL_UNAVAILABLE',
};

/** Pure: the kind of a REST failure, from its code first and its HTTP status otherwise. */
export function kindOf(code: string | undefined, status: number | undefined): Bitrix24ErrorKind {
  const byCode = code === undefined ? undefined : CODE_KIND[code];
  if (byCode) return byCode;
  const s = status ?? 0;
  if (s === 0 || s === 408 || s >= 500) return 'TRANSIENT';
  if (s === 401) return 'TOKEN_REVOKED';
  if (s === 403) return 'ACCESS_DENIED';
  if (s === 404) return 'NOT_FOUND';
  if (s === 429) return 'RATE_LIMITED';
  return 'VALIDATION';
}

/** Failures where the request cannot have been executed by the portal (rejected before running). */
export function wasRejectedBeforeExecution(code: string | undefined): boolean {
  return code === 'QUERY_LIMIT_EXCEEDED' || code === 'OPERATION_TIME_LIMIT' || code === 'OVERLOAD_LIMIT';
}

/** Text we allow into an error message: the portal's description, trimmed, without anything token-shaped. */
export function safeDescription(text: unknown): string {
  if (typeof text !== 'string' || text.length === 0) return '';
  // Bitrix24 tokens are long hex/alnum runs; portal prose never is. Mask defensively before it reaches a log.
  return text.slice(0, 300).replace(/[A-Za-z0-9]{32,}/g, '[redacted]');
}

export function restError(init: {
  method: string;
  code?: string;
  status?: number;
  description?: unknown;
  retryAfterMs?: number;
  maybeApplied?: boolean;
}): Bitrix24Error {
  const kind = kindOf(init.code, init.status);
  const detail = safeDescription(init.description);
  const label = init.code ?? (init.status ? `HTTP ${init.status}` : 'error');
  return new Bitrix24Error({
    kind,
    method: init.method,
    message: `${init.method}: ${label}${detail ? ` (${detail})` : ''}`,
    ...(init.code === undefined ? {} : { b24Code: init.code }),
    ...(init.status === undefined ? {} : { status: init.status }),
    ...(init.retryAfterMs === undefined ? {} : { retryAfterMs: init.retryAfterMs }),
    ...(init.maybeApplied ? { maybeApplied: true } : {}),
  });
}
