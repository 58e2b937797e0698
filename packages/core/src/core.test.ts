import { createCipheriv } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { constantTimeEqual, matchesSha256, sha256Hex } from './constant-time.js';
import { commonEnvSchema, parseEnv } from './env.js';
import { AppError, errorBody, httpStatusOf } from './errors.js';
import { createLogger } from './logger.js';
import { createTokenCipher } from './token-cipher.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
const KEY2 = Buffer.alloc(32, 9).toString('base64');
const goodEnv = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/x',
  REDIS_URL: 'redis://127.0.0.1:6379',
  APP_URL: 'https://app.example.com/',
  B24_CLIENT_ID: 'local.1',
  B24_CLIENT_SECRET: 's',
  TOKEN_ENCRYPTION_KEY: KEY,
};

describe('parseEnv', () => {
  it('parses and applies defaults', () => {
    const env = parseEnv(commonEnvSchema, goodEnv);
    expect(env.APP_URL).toBe('https://app.example.com');
    expect(env.B24_OAUTH_HOSTS).toEqual(['oauth.bitrix.info', 'oauth.bitrix24.tech']);
    expect(env.B24_ALLOW_HTTP).toBe(false);
    expect(env.LOG_LEVEL).toBe('info');
  });

  it('names every missing or malformed variable in one message, without echoing values', () => {
    const secret = 'not-a-key-but-secret';
    let err: unknown;
    try {
      parseEnv(commonEnvSchema, {
        ...goodEnv,
        DATABASE_URL: undefined,
        REDIS_URL: 'http://x',
        TOKEN_ENCRYPTION_KEY: secret,
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    const msg = (err as AppError).message;
    expect(msg).toContain('DATABASE_URL is missing');
    expect(msg).toMatch(/REDIS_URL is invalid/);
    expect(msg).toMatch(/TOKEN_ENCRYPTION_KEY is invalid/);
    expect(msg).not.toContain(secret);
  });

  it('takes a Redis Cluster URL, a hash-tagged queue prefix and the database budget', () => {
    const env = parseEnv(commonEnvSchema, {
      ...goodEnv,
      REDIS_URL: 'redis+cluster://:pw@10.0.0.1:7000,redis-b:7001',
      QUEUE_PREFIX: '{prod}',
      DATABASE_POOL_SIZE: '4',
      DB_PGBOUNCER: 'true',
    });
    expect(env).toMatchObject({ QUEUE_PREFIX: '{prod}', DATABASE_POOL_SIZE: 4, DB_PGBOUNCER: true });
    const defaults = parseEnv(commonEnvSchema, goodEnv);
    expect(defaults).toMatchObject({ QUEUE_PREFIX: '{b24app}', DB_PGBOUNCER: false });
    expect(defaults.DATABASE_POOL_SIZE).toBeUndefined();
    for (const bad of ['redis+cluster://', 'redis+cluster://a:1,b', 'redis+cluster://a:1,,b:2'])
      expect(() => parseEnv(commonEnvSchema, { ...goodEnv, REDIS_URL: bad })).toThrow(/REDIS_URL is invalid/);
    expect(() => parseEnv(commonEnvSchema, { ...goodEnv, QUEUE_PREFIX: '{a}b' })).toThrow(/QUEUE_PREFIX/);
  });

  it('rejects malformed host lists', () => {
    expect(() => parseEnv(commonEnvSchema, { ...goodEnv, B24_OAUTH_HOSTS: 'https://x.com/' })).toThrow(
      /B24_OAUTH_HOSTS/,
    );
    expect(
      parseEnv(commonEnvSchema, { ...goodEnv, B24_PORTAL_HOSTS: '*.example.com, 127.0.0.1:4001' }).B24_PORTAL_HOSTS,
    ).toEqual(['*.example.com', '127.0.0.1:4001']);
  });
});

describe('logger redaction', () => {
  it('prints token fields redacted at any depth we log', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = createLogger({ level: 'info' }, sink);
    log.info(
      {
        access_token: 'AT-1',
        body: { auth: { access_token: 'AT-2', member_id: 'm' }, REFRESH_ID: 'RT-1', AUTH_ID: 'AT-3' },
        tokens: { refresh_token: 'RT-2', application_token: 'APP-1' },
        deep: { a: { client_secret: 'CS-1' } },
        TOKEN_ENCRYPTION_KEY: 'K-1',
        portal: { accessToken: 'AT-4' },
      },
      'hello',
    );
    const out = lines.join('');
    for (const s of ['AT-1', 'AT-2', 'AT-3', 'AT-4', 'RT-1', 'RT-2', 'APP-1', 'CS-1', 'K-1'])
      expect(out).not.toContain(s);
    expect(out).toContain('[redacted]');
    expect(out).toContain('hello');
  });
});

describe('token cipher', () => {
  it('round-trips and uses a fresh IV each time', () => {
    const c = createTokenCipher([KEY]);
    const a = c.encrypt('token-value');
    const b = c.encrypt('token-value');
    expect(a.data).not.toBe(b.data);
    expect(a.data).not.toContain('token-value');
    expect(c.decrypt(a.keyId, a.data)).toBe('token-value');
  });

  it('rotates: old ciphertexts decrypt with a retired key, new ones use the active key', () => {
    const old = createTokenCipher([`k1:${KEY}`]);
    const enc = old.encrypt('rt');
    const rotated = createTokenCipher([`k2:${KEY2}`], [`k1:${KEY}`]);
    expect(rotated.decrypt('k1', enc.data)).toBe('rt');
    expect(rotated.needsReencrypt('k1')).toBe(true);
    expect(rotated.encrypt('x').keyId).toBe('k2');
    expect(() => createTokenCipher([`k2:${KEY2}`]).decrypt('k1', enc.data)).toThrow(/no token encryption key/);
  });

  it('detects tampering', () => {
    const c = createTokenCipher([KEY]);
    const e = c.encrypt('abc');
    const raw = Buffer.from(e.data.slice('v2.'.length), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => c.decrypt(e.keyId, `v2.${raw.toString('base64')}`)).toThrow();
  });

  it('binds a ciphertext to its context: moved to another row or column it does not decrypt', () => {
    const c = createTokenCipher([KEY]);
    const e = c.encrypt('access', 'portal-a/access_token');
    expect(c.decrypt(e.keyId, e.data, 'portal-a/access_token')).toBe('access');
    expect(() => c.decrypt(e.keyId, e.data, 'portal-b/access_token')).toThrow();
    expect(() => c.decrypt(e.keyId, e.data, 'portal-a/refresh_token')).toThrow();
    // Stripping the format prefix does not downgrade it to the unbound legacy format.
    expect(() => c.decrypt(e.keyId, e.data.slice('v2.'.length), 'portal-b/access_token')).toThrow();
  });

  it('requires the full 16-byte tag', () => {
    const c = createTokenCipher([KEY]);
    const e = c.encrypt('abc', 'ctx');
    const raw = Buffer.from(e.data.slice('v2.'.length), 'base64');
    // iv + a 4-byte tag, no body: GCM accepts short tags unless told their length.
    const short = Buffer.concat([raw.subarray(0, 12), raw.subarray(12, 16)]);
    expect(() => c.decrypt(e.keyId, `v2.${short.toString('base64')}`, 'ctx')).toThrow();
  });

  it('reads the legacy unbound format and asks for it to be re-encrypted', () => {
    const legacyKey = Buffer.from(KEY, 'base64');
    const iv = Buffer.alloc(12, 3);
    const enc = createCipheriv('aes-256-gcm', legacyKey, iv);
    const body = Buffer.concat([enc.update('old-token', 'utf8'), enc.final()]);
    const legacy = Buffer.concat([iv, enc.getAuthTag(), body]).toString('base64');
    const c = createTokenCipher([`k1:${KEY}`]);
    expect(c.decrypt('k1', legacy, 'any/context')).toBe('old-token');
    expect(c.needsReencrypt('k1', legacy)).toBe(true);
    expect(c.needsReencrypt('k1', c.encrypt('x', 'ctx').data)).toBe(false);
  });

  it('refuses at boot a key id listed twice (active and retired)', () => {
    expect(() => createTokenCipher([`k1:${KEY}`], [`k1:${KEY2}`])).toThrow(/configured twice/);
    expect(() => createTokenCipher([KEY], [KEY])).toThrow(/configured twice/);
  });
});

describe('errors and secrets', () => {
  it('maps codes to HTTP in one table and hides internals', () => {
    expect(httpStatusOf(new AppError('UNAUTHORIZED', 'no'))).toBe(401);
    expect(httpStatusOf(new Error('boom'))).toBe(500);
    expect(errorBody(new Error('secret detail'))).toEqual({ error: { code: 'INTERNAL', message: 'Internal error' } });
  });

  it('compares secrets in constant time', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(matchesSha256('tok', sha256Hex('tok'))).toBe(true);
    expect(matchesSha256('tok2', sha256Hex('tok'))).toBe(false);
    expect(matchesSha256('tok', 'zz')).toBe(false);
  });

  it('zod is usable for app-specific env extensions', () => {
    const s = commonEnvSchema.extend({ PORT: z.coerce.number().int().default(3000) });
    expect(parseEnv(s, goodEnv).PORT).toBe(3000);
  });
});
