/**
 * Proves who clicked, with Bitrix24: the delivery's own access token is sent to the portal's `profile` method,
 * which answers the token's user and whether that user is a portal administrator. `auth[user_id]` and
 * `data[userId]` are claims anyone holding the shared application token can write; the token is not.
 *
 * One REST call per user token: proofs are cached by the token's SHA-256 (never the token) until the token
 * expires, in a bounded cache. The call takes a slot of the portal's shared bucket like every other call.
 * Nothing here puts the token in an error or a log line.
 */
import { createHash } from 'node:crypto';
import { type PortalRateLimiter, restError } from '@b24app/bitrix24';
import { createBoundedCache } from './bounded-cache.js';

export interface ClickerProof {
  userId: number;
  isAdmin: boolean;
}

export interface UserAuth {
  accessToken: string;
  /** Unix ms the token stops being valid. */
  expiresAt: number;
}

export interface ClickingUserProver {
  /** The token's user; null when Bitrix24 does not accept the token (expired, forged). Throws a Bitrix24Error otherwise. */
  prove(portal: { memberId: string; clientEndpoint: string }, auth: UserAuth): Promise<ClickerProof | null>;
}

const REJECTED_TOKEN = new Set(['expired_token', 'invalid_token', 'NO_AUTH_FOUND', 'INVALID_CREDENTIALS']);
const MAX_CACHE_MS = 60 * 60_000;

export function createClickingUserProver(deps: {
  limiter?: Pick<PortalRateLimiter, 'take' | 'noteExceeded'>;
  fetch?: typeof fetch;
  timeoutMs?: number;
  maxEntries?: number;
  now?: () => number;
}): ClickingUserProver {
  const doFetch = deps.fetch ?? fetch;
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const cache = createBoundedCache<ClickerProof>({ maxEntries: deps.maxEntries ?? 10_000, now });

  return {
    async prove(portal, auth) {
      const key = `${portal.memberId}:${createHash('sha256').update(auth.accessToken).digest('hex')}`;
      const hit = cache.get(key);
      if (hit) return hit;
      if (auth.expiresAt <= now()) return null;

      if (deps.limiter) {
        const slot = await deps.limiter.take(portal.memberId, { method: 'profile', maxWaitMs: 1_000 });
        if (!slot.ok)
          throw restError({ method: 'profile', code: 'QUERY_LIMIT_EXCEEDED', retryAfterMs: slot.retryAfterMs });
        if (slot.waitMs > 0) await new Promise((r) => setTimeout(r, slot.waitMs));
      }
      let res: Response;
      try {
        res = await doFetch(`${portal.clientEndpoint}profile.json`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ auth: auth.accessToken }).toString(),
          // A redirect would re-send the token to whatever host it names.
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch {
        throw restError({ method: 'profile', code: 'NETWORK_ERROR' });
      }
      const body = (await res.json().catch(() => null)) as {
        result?: { ID?: unknown; ADMIN?: unknown };
        error?: string;
        error_description?: unknown;
      } | null;
      if (res.ok && body?.result) {
        const userId = Number(body.result.ID);
        if (!Number.isSafeInteger(userId) || userId <= 0) return null;
        const proof = { userId, isAdmin: body.result.ADMIN === true || body.result.ADMIN === 'true' };
        cache.set(key, proof, Math.min(auth.expiresAt - now(), MAX_CACHE_MS));
        return proof;
      }
      if (body?.error && REJECTED_TOKEN.has(body.error)) return null;
      if (res.status === 401) return null;
      if (body?.error === 'QUERY_LIMIT_EXCEEDED') await deps.limiter?.noteExceeded(portal.memberId);
      throw restError({
        method: 'profile',
        ...(body?.error ? { code: body.error } : {}),
        status: res.status,
        description: body?.error_description,
      });
    },
  };
}
