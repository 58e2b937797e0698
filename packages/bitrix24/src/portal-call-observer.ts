/**
 * What the portal clients report for metrics (each app's metrics module implements it). Called
 * synchronously and must not throw; it receives names and codes only, never a token or a payload.
 */
export interface PortalCallObserver {
  /**
   * One HTTP request to a portal ended: `outcome` is `ok`, Bitrix24's error code (`QUERY_LIMIT_EXCEEDED`,
   * `expired_token`…), our refusal before sending (`RATE_LIMITED`, `OPERATION_TIME_LIMIT`), `http_<status>`
   * or a transport code.
   */
  request(memberId: string, method: string, outcome: string): void;
  /** A token refresh ended: `oauth` (rotated with the OAuth server), `adopted` (from the store) or `failed`. */
  refresh(memberId: string, outcome: 'oauth' | 'adopted' | 'failed', code?: string): void;
}

export const noPortalCallObserver: PortalCallObserver = { request() {}, refresh() {} };

/** The outcome label of a failed HTTP request (an axios error, or our own error thrown before sending). */
export function requestOutcomeOf(error: unknown): string {
  const e = error as {
    b24Code?: unknown;
    code?: unknown;
    response?: { status?: unknown; data?: { error?: unknown } };
  };
  const body = e?.response?.data?.error;
  if (typeof body === 'string' && body) return body;
  if (typeof e?.b24Code === 'string' && e.b24Code) return e.b24Code;
  if (typeof e?.response?.status === 'number') return `http_${e.response.status}`;
  if (typeof e?.code === 'string' && e.code) return e.code;
  return 'unknown';
}
