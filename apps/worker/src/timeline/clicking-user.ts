/**
 * Proves who clicked, with Bitrix24. The delivery's own access token is shown to the OAuth server's `app.info`
 * (the portal's `server_endpoint`), which names the token's app, portal and user and costs nothing of the
 * portal's REST bucket; Bitrix24 issues a fresh token with every event, so this is one call per click. Only when
 * the answer depends on it (someone other than the responsible user clicked) is the portal's `profile` asked, with
 * the same token and a slot of the portal's bucket, whether that user is an administrator.
 * `auth[user_id]` and `data[userId]` are claims anyone holding the shared application token can write; the token is not.
 *
 * Proofs are cached by the token's SHA-256 (never the token) until the token expires, in a bounded cache.
 * Nothing here puts the token in an error or a log line.
 */
import { createHash } from 'node:crypto';
import { type PortalRateLimiter, restError } from '@b24app/bitrix24';
import { httpFetch } from '@b24app/core';
import { createBoundedCache } from './bounded-cache.js';

export interface ClickerProof {
  userId: number;
  /** Asked only when it decides the outcome (`adminMatters`); false otherwise. */
  isAdmin: boolean;
}

export interface UserAuth {
  accessToken: string;
  /** Unix ms the token stops being valid. */
  expiresAt: number;
}

export interface ProverPortal {
  memberId: string;
  /** `https://<portal>/rest/`: where `profile` is asked. */
  clientEndpoint: string;
  /** The portal's OAuth server (`https://oauth.bitrix.info/rest/`), checked against the allowlist at install. */
  serverEndpoint: string;
}

export interface ClickingUserProver {
  /**
   * The token's user; null when Bitrix24 does not accept the token (expired, forged, another app's or portal's).
   * Throws a Bitrix24Error otherwise. `adminMatters(userId)` says whether the admin flag can change the outcome.
   */
  prove(
    portal: ProverPortal,
    auth: UserAuth,
    opts?: { adminMatters?: (userId: number) => boolean },
  ): Promise<ClickerProof | null>;
}

interface Proven {
  userId: number;
  isAdmin?: boolean;
}

const REJECTED_TOKEN = new Set(['expired_token', 'invalid_token', 'NO_AUTH_FOUND', 'INVALID_CREDENTIALS']);
const MAX_CACHE_MS = 60 * 60_000;

export function createClickingUserProver(deps: {
  /** Our app's client id: the token must be ours. */
  clientId: string;
  limiter?: Pick<PortalRateLimiter, 'take' | 'noteExceeded'>;
  /** Longest wait for a slot of the portal's bucket before `profile` is refused as rate limited. Default 1 s. */
  maxWaitMs?: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
  maxEntries?: number;
  now?: () => number;
}): ClickingUserProver {
  // One host per portal: httpFetch keeps nothing per host after its sockets close (the built-in fetch does).
  const doFetch = deps.fetch ?? httpFetch;
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const cache = createBoundedCache<Proven>({ maxEntries: deps.maxEntries ?? 10_000, now });

  const post = async (url: string, token: string, method: string) => {
    try {
      return await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ auth: token }).toString(),
        // A redirect would re-send the token to whatever host it names.
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw restError({ method, code: 'NETWORK_ERROR' });
    }
  };

  type Body = { result?: Record<string, unknown>; error?: string; error_description?: unknown } | null;
  const refused = (res: Response, body: Body) =>
    res.status === 401 || (body?.error !== undefined && REJECTED_TOKEN.has(body.error));

  /** Whose token this is, by the OAuth server: our app, this portal, a user. */
  const identify = async (portal: ProverPortal, token: string): Promise<number | null> => {
    const res = await post(`${portal.serverEndpoint}app.info`, token, 'app.info');
    const body = (await res.json().catch(() => null)) as Body;
    if (res.ok && body?.result) {
      const install = body.result.install as { member_id?: unknown } | undefined;
      if (body.result.client_id !== deps.clientId || install?.member_id !== portal.memberId) return null;
      const userId = Number(body.result.user_id);
      return Number.isSafeInteger(userId) && userId > 0 ? userId : null;
    }
    if (refused(res, body)) return null;
    throw restError({
      method: 'app.info',
      ...(body?.error ? { code: body.error } : {}),
      status: res.status,
      description: body?.error_description,
    });
  };

  /** Whether the token's user is a portal administrator, by the portal itself (one slot of its bucket). */
  const adminFlag = async (portal: ProverPortal, token: string, userId: number): Promise<boolean | null> => {
    if (deps.limiter) {
      const slot = await deps.limiter.take(portal.memberId, { method: 'profile', maxWaitMs: deps.maxWaitMs ?? 1_000 });
      if (!slot.ok)
        throw restError({ method: 'profile', code: 'QUERY_LIMIT_EXCEEDED', retryAfterMs: slot.retryAfterMs });
      if (slot.waitMs > 0) await new Promise((r) => setTimeout(r, slot.waitMs));
    }
    const res = await post(`${portal.clientEndpoint}profile.json`, token, 'profile');
    const body = (await res.json().catch(() => null)) as Body;
    if (res.ok && body?.result) {
      if (Number(body.result.ID) !== userId) return null;
      return body.result.ADMIN === true || body.result.ADMIN === 'true';
    }
    if (refused(res, body)) return null;
    if (body?.error === 'QUERY_LIMIT_EXCEEDED') await deps.limiter?.noteExceeded(portal.memberId);
    throw restError({
      method: 'profile',
      ...(body?.error ? { code: body.error } : {}),
      status: res.status,
      description: body?.error_description,
    });
  };

  return {
    async prove(portal, auth, opts = {}) {
      const key = `${portal.memberId}:${createHash('sha256').update(auth.accessToken).digest('hex')}`;
      const ttl = () => Math.min(auth.expiresAt - now(), MAX_CACHE_MS);
      let proven = cache.get(key);
      if (!proven) {
        if (auth.expiresAt <= now()) return null;
        const userId = await identify(portal, auth.accessToken);
        if (userId === null) return null;
        proven = { userId };
        cache.set(key, proven, ttl());
      }
      if (proven.isAdmin === undefined && opts.adminMatters?.(proven.userId)) {
        const isAdmin = await adminFlag(portal, auth.accessToken, proven.userId);
        if (isAdmin === null) return null;
        proven = { ...proven, isAdmin };
        cache.set(key, proven, ttl());
      }
      return { userId: proven.userId, isAdmin: proven.isAdmin ?? false };
    },
  };
}
