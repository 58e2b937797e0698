import { AppError, httpFetch } from '@b24app/core';
import { z } from 'zod';

/**
 * `user.admin` with the presented token (protocol: only a portal administrator installs or updates an app):
 * Bitrix24 itself says whether the token's user is an administrator. Called only after the host policy
 * accepted the portal endpoint and the OAuth server vouched for the token.
 */
const userAdminSchema = z.object({ result: z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'Y', 'N'])]) });

export type CheckPortalAdmin = (portalEndpoint: URL, accessToken: string) => Promise<boolean>;

export function createPortalAdminCheck(opts: { timeoutMs?: number; fetchImpl?: typeof fetch } = {}): CheckPortalAdmin {
  // One host per portal: httpFetch keeps nothing per host after its sockets close (the built-in fetch does).
  const doFetch = opts.fetchImpl ?? httpFetch;
  return async (portalEndpoint, accessToken) => {
    const base = portalEndpoint.href.endsWith('/') ? portalEndpoint.href : `${portalEndpoint.href}/`;
    let res: Response;
    try {
      res = await doFetch(new URL('user.admin', base), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // In the body, never the URL: the token must not land in an access log.
        body: JSON.stringify({ auth: accessToken }),
        redirect: 'error',
        signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
      });
    } catch {
      throw new AppError('SERVICE_UNAVAILABLE', 'The portal could not be reached to verify the installing user');
    }
    const json: unknown = await res.json().catch(() => null);
    const parsed = userAdminSchema.safeParse(json);
    if (!res.ok || !parsed.success) {
      throw new AppError('INSTALL_VERIFICATION_FAILED', 'The portal did not confirm the installing user');
    }
    const r = parsed.data.result;
    return r === true || r === 'true' || r === '1' || r === 'Y';
  };
}
