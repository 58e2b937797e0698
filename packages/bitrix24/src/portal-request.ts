/**
 * What the HTTP interceptors read from a request the SDK built: the REST method (last path segment), the
 * per-call request id (the SDK puts `requestId` into the `bx24_request_id` query parameter), and the access
 * token it was sent with (the SDK puts it into the JSON body as `auth`).
 */
import type { TypeHttp } from '@bitrix24/b24jssdk';

export type AxiosInstance = TypeHttp['ajaxClient'];
export type RequestConfig = Parameters<NonNullable<Parameters<AxiosInstance['interceptors']['request']['use']>[0]>>[0];

const REQUEST_ID_PARAM = 'bx24_request_id';

export function methodOfUrl(url: string | undefined): string {
  const path = (url ?? '').split('?')[0] ?? '';
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || 'unknown';
}

/** The request id a call handed the SDK; absent for `task.*` methods, whose URLs carry no query. */
export function requestIdOfUrl(url: string | undefined): string | undefined {
  const query = (url ?? '').split('?')[1];
  return query ? (new URLSearchParams(query).get(REQUEST_ID_PARAM) ?? undefined) : undefined;
}

export function tokenSentWith(config: { data?: unknown } | undefined): string | undefined {
  const data = config?.data;
  if (typeof data === 'string') {
    try {
      const parsed = JSON.parse(data) as { auth?: unknown };
      return typeof parsed.auth === 'string' ? parsed.auth : undefined;
    } catch {
      return undefined;
    }
  }
  if (data && typeof data === 'object' && typeof (data as { auth?: unknown }).auth === 'string') {
    return (data as { auth: string }).auth;
  }
  return undefined;
}
