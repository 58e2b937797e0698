import { AppError, httpFetch } from '@b24app/core';
import { z } from 'zod';

/**
 * `app.info` on the OAuth server (protocol Addendum A): the documented way to prove that an access
 * token was issued to OUR app for THAT portal. Called only after the host policy accepted the URL.
 */
const appInfoSchema = z.object({
  result: z.object({
    client_id: z.string(),
    scope: z.string().optional(),
    /** The user the token was issued to (the app page checks it against `profile`). */
    user_id: z.union([z.string(), z.number()]).optional(),
    install: z
      .object({
        installed: z.boolean().optional(),
        status: z.string().optional(),
        scope: z.string().optional(),
        domain: z.string(),
        client_endpoint: z.string().optional(),
        member_id: z.string(),
      })
      .passthrough(),
  }),
});

export type OAuthAppInfo = z.infer<typeof appInfoSchema>['result'];
export type FetchAppInfo = (oauthEndpoint: URL, accessToken: string) => Promise<OAuthAppInfo>;

export function createAppInfoFetcher(opts: { timeoutMs?: number; fetchImpl?: typeof fetch } = {}): FetchAppInfo {
  // Not the built-in fetch: see httpFetch (its per-origin pools and its parser's compile cost memory).
  const doFetch = opts.fetchImpl ?? httpFetch;
  return async (oauthEndpoint, accessToken) => {
    const url = new URL('app.info', oauthEndpoint.href.endsWith('/') ? oauthEndpoint : `${oauthEndpoint.href}/`);
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        // The token goes in the body, not the URL, so it never lands in a proxy's access log.
        body: new URLSearchParams({ auth: accessToken }),
        redirect: 'error',
        signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
      });
    } catch {
      throw new AppError('SERVICE_UNAVAILABLE', 'The OAuth server could not be reached to verify the installation');
    }
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      throw new AppError('INSTALL_VERIFICATION_FAILED', 'The OAuth server did not accept the installation tokens');
    }
    const parsed = appInfoSchema.safeParse(json);
    if (!parsed.success) {
      throw new AppError('INSTALL_VERIFICATION_FAILED', 'The OAuth server answered app.info in an unexpected shape');
    }
    return parsed.data.result;
  };
}
