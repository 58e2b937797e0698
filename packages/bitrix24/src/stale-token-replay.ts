import { type AxiosInstance, type RequestConfig, tokenSentWith } from './portal-request.js';

/**
 * Response error interceptor: a 401 for a request sent with a token we have since replaced (the SDK would
 * refresh a second time, b24jssdk notes §2.4 "late 401") is replayed once with the current token instead.
 */
export function staleTokenReplay(http: AxiosInstance, currentToken: () => string) {
  return async (error: unknown): Promise<unknown> => {
    const e = error as { response?: { status?: number }; config?: RequestConfig & { data?: unknown } };
    const sent = tokenSentWith(e.config);
    const current = currentToken();
    if (e.response?.status === 401 && e.config && sent && sent !== current) {
      const body = typeof e.config.data === 'string' ? (JSON.parse(e.config.data) as Record<string, unknown>) : {};
      return http.request({ ...e.config, data: { ...body, auth: current } });
    }
    throw error;
  };
}
