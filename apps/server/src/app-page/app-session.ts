/**
 * The app page's session: a short-lived token the page carries in memory and sends as `Authorization: Bearer`.
 * No cookie (the page lives in a cross-site iframe, where browsers block or partition them) and no server
 * state: `payload.signature`, HMAC-SHA256 over the payload with a key derived from the token encryption key.
 * The acting user's Bitrix24 access token rides inside, AES-GCM encrypted with the token cipher, so the page
 * never holds it in clear a second time and the server needs no session table; it is used only for calls
 * Bitrix24 itself guards (badges, activities), so Bitrix24 enforces that user's rights.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { AppError, type TokenCipher } from '@b24app/core';
import { z } from 'zod';

export interface AppSession {
  portalId: string;
  memberId: string;
  userId: number;
  admin: boolean;
  userName: string;
  lang: 'en' | 'ru';
  /** Unix seconds. */
  expiresAt: number;
  /** When the embedded user token stops working (unix seconds): no renewal past it. */
  userTokenExpiresAt: number;
}

const claimsSchema = z.object({
  v: z.literal(1),
  p: z.string(),
  m: z.string(),
  u: z.number().int().positive(),
  a: z.boolean(),
  n: z.string(),
  l: z.enum(['en', 'ru']),
  exp: z.number().int(),
  uexp: z.number().int(),
  k: z.string(),
  t: z.string(),
});

export interface AppSessionCodec {
  readonly ttlSec: number;
  issue(s: Omit<AppSession, 'expiresAt'>, userAccessToken: string): { token: string; expiresAt: number };
  /** Verifies signature and expiry; throws UNAUTHORIZED otherwise. */
  verify(token: string): AppSession & { userAccessToken: string };
  /** A fresh token for a still-valid session, never past the user token's own expiry. */
  renew(token: string): { token: string; expiresAt: number };
}

const b64u = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const nowSec = () => Math.floor(Date.now() / 1000);

export function createAppSessionCodec(opts: {
  /** Secret material (the active token encryption key): the HMAC key is derived from it, never used as is. */
  secret: string;
  cipher: TokenCipher;
  ttlSec: number;
  now?: () => number;
}): AppSessionCodec {
  const key = Buffer.from(hkdfSync('sha256', opts.secret, 'b24app', 'app-page-session-v1', 32));
  const now = opts.now ?? nowSec;
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest();

  const encode = (s: Omit<AppSession, 'expiresAt'>, tokenEnc: { keyId: string; data: string }) => {
    const expiresAt = Math.min(now() + opts.ttlSec, s.userTokenExpiresAt);
    const claims: z.infer<typeof claimsSchema> = {
      v: 1,
      p: s.portalId,
      m: s.memberId,
      u: s.userId,
      a: s.admin,
      n: s.userName,
      l: s.lang,
      exp: expiresAt,
      uexp: s.userTokenExpiresAt,
      k: tokenEnc.keyId,
      t: tokenEnc.data,
    };
    const payload = b64u(JSON.stringify(claims));
    return { token: `${payload}.${b64u(sign(payload))}`, expiresAt };
  };

  const decode = (token: string) => {
    const refused = new AppError('UNAUTHORIZED', 'The app page session is missing, invalid or expired; reopen the app');
    const [payload, sig, extra] = token.split('.');
    if (!payload || !sig || extra !== undefined || token.length > 8192) throw refused;
    const given = Buffer.from(sig, 'base64url');
    const expected = sign(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refused;
    let claims: z.infer<typeof claimsSchema>;
    try {
      claims = claimsSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    } catch {
      throw refused;
    }
    if (claims.exp <= now()) throw refused;
    return claims;
  };

  return {
    ttlSec: opts.ttlSec,
    issue(s, userAccessToken) {
      return encode(s, opts.cipher.encrypt(userAccessToken));
    },
    verify(token) {
      const c = decode(token);
      let userAccessToken: string;
      try {
        userAccessToken = opts.cipher.decrypt(c.k, c.t);
      } catch {
        throw new AppError('UNAUTHORIZED', 'The app page session is invalid; reopen the app');
      }
      return {
        portalId: c.p,
        memberId: c.m,
        userId: c.u,
        admin: c.a,
        userName: c.n,
        lang: c.l,
        expiresAt: c.exp,
        userTokenExpiresAt: c.uexp,
        userAccessToken,
      };
    },
    renew(token) {
      const c = decode(token);
      return encode(
        { portalId: c.p, memberId: c.m, userId: c.u, admin: c.a, userName: c.n, lang: c.l, userTokenExpiresAt: c.uexp },
        { keyId: c.k, data: c.t },
      );
    },
  };
}
