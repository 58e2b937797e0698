/**
 * REST calls made with the acting user's own access token (from the frame POST), so Bitrix24 checks that
 * user's rights (CRM admin for badges, access to the activity for deletes). Not the portal client: that one
 * holds the app's stored tokens, refreshes them and shares the portal's rate limit bucket. The endpoint is the
 * stored portal's `client_endpoint`, which the host policy accepted at install: nothing here chooses a host.
 * The token goes in the JSON body, never the URL, and never into an error or a log line.
 */
import { type Bitrix24Error, restError } from '@b24app/bitrix24';
import { httpFetch } from '@b24app/core';

export type UserRestCall = <T = unknown>(
  clientEndpoint: string,
  accessToken: string,
  method: string,
  params?: Record<string, unknown>,
) => Promise<T>;

export function createUserRest(opts: { timeoutMs: number; fetchImpl?: typeof fetch }): UserRestCall {
  // One host per portal: httpFetch keeps nothing per host after its sockets close (the built-in fetch does).
  const doFetch = opts.fetchImpl ?? httpFetch;
  return async <T>(
    clientEndpoint: string,
    accessToken: string,
    method: string,
    params: Record<string, unknown> = {},
  ) => {
    const base = clientEndpoint.endsWith('/') ? clientEndpoint : `${clientEndpoint}/`;
    let res: Response;
    try {
      res = await doFetch(new URL(`${method}.json`, base), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...params, auth: accessToken }),
        redirect: 'error',
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    } catch {
      throw restError({ method, code: 'NETWORK_ERROR', status: 0 }) satisfies Bitrix24Error;
    }
    const json = (await res.json().catch(() => null)) as {
      result?: unknown;
      error?: string;
      error_description?: unknown;
    } | null;
    if (!res.ok || !json || json.error !== undefined) {
      throw restError({
        method,
        ...(json?.error ? { code: json.error } : {}),
        status: res.status,
        description: json?.error_description,
      });
    }
    return json.result as T;
  };
}
