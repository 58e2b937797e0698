import { createTokenCipher } from '@b24app/core';
import { describe, expect, it } from 'vitest';
import { createAppSessionCodec } from './app-session.js';

const KEY = Buffer.alloc(32, 9).toString('base64');
const cipher = createTokenCipher([KEY]);
const claims = {
  portalId: '7d9f1c52-6d0c-4c4e-9a43-3f0f5c1a2b3c',
  memberId: 'a'.repeat(32),
  userId: 5,
  admin: false,
  userName: 'Olga',
  lang: 'ru' as const,
  userTokenExpiresAt: 10_000,
};

function codec(now: { t: number }, ttlSec = 300, secret = KEY) {
  return createAppSessionCodec({ secret, cipher, ttlSec, now: () => now.t });
}

describe('app page session', () => {
  it('round-trips the claims and the user token, which never appears in clear in the token', () => {
    const clock = { t: 1_000 };
    const { token, expiresAt } = codec(clock).issue(claims, 'user-access-token-123');
    expect(expiresAt).toBe(1_300);
    expect(token).not.toContain('user-access-token-123');
    expect(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()).not.toContain('user-access-token');
    expect(codec(clock).verify(token)).toMatchObject({ ...claims, userAccessToken: 'user-access-token-123' });
  });

  it('refuses a changed payload, another key, a truncated token and an expired one', () => {
    const clock = { t: 1_000 };
    const { token } = codec(clock).issue(claims, 't');
    const [payload, sig] = token.split('.') as [string, string];
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), a: true }),
    ).toString('base64url');
    expect(() => codec(clock).verify(`${forgedPayload}.${sig}`)).toThrow(/session/);
    expect(() => codec(clock, 300, Buffer.alloc(32, 1).toString('base64')).verify(token)).toThrow(/session/);
    expect(() => codec(clock).verify(payload)).toThrow(/session/);
    clock.t = 1_300;
    expect(() => codec(clock).verify(token)).toThrow(/expired/);
  });

  it('renews while valid, never past the user token it carries', () => {
    const clock = { t: 1_000 };
    const c = codec(clock);
    const first = c.issue({ ...claims, userTokenExpiresAt: 1_500 }, 't');
    clock.t = 1_250;
    const renewed = c.renew(first.token);
    expect(renewed.expiresAt).toBe(1_500); // 1250 + 300 capped at the user token's expiry
    expect(c.verify(renewed.token).userAccessToken).toBe('t');
    clock.t = 1_500;
    expect(() => c.renew(renewed.token)).toThrow();
  });
});
