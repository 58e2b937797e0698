import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from './errors.js';

/**
 * AES-256-GCM with a key ring. Ciphertexts are stored with the id of the key that made them, so
 * a new key can be introduced without downtime: new writes use the active key, old rows still
 * decrypt with the retired keys until re-encrypted (`needsReencrypt`).
 *
 * Each ciphertext is bound to where it is stored by the caller's `context` (additional authenticated
 * data, e.g. the portal and column): moved to another row or column it no longer decrypts. Format
 * `v2.<base64 iv|tag|body>`; a value without the prefix is the legacy format (no context), still read
 * and reported by `needsReencrypt` so the next write replaces it.
 */
export interface TokenCipher {
  readonly activeKeyId: string;
  encrypt(plain: string, context?: string): { keyId: string; data: string };
  decrypt(keyId: string, data: string, context?: string): string;
  needsReencrypt(keyId: string, data?: string): boolean;
}

const V2 = 'v2.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** `entries` are base64 keys, optionally `id:base64`. Without an id, the id is derived from the key. */
export function createTokenCipher(activeEntries: string[], retiredEntries: string[] = []): TokenCipher {
  const parse = (entry: string) => {
    const colon = entry.indexOf(':');
    const key = Buffer.from(colon >= 0 ? entry.slice(colon + 1) : entry, 'base64');
    if (key.length !== 32) throw new AppError('CONFIG_INVALID', 'token encryption keys must be 32 bytes');
    // A derived id never reveals the key: 8 hex chars of its hash.
    const id = colon >= 0 ? entry.slice(0, colon) : createHash('sha256').update(key).digest('hex').slice(0, 8);
    return { id, key };
  };
  const all = [...activeEntries, ...retiredEntries].map(parse);
  const first = all[0];
  if (!first) throw new AppError('CONFIG_INVALID', 'at least one token encryption key is required');
  const keys = new Map<string, Buffer>();
  for (const k of all) {
    // One id, two keys: which one a row was written with would be a guess (an active key listed as retired too).
    if (keys.has(k.id)) throw new AppError('CONFIG_INVALID', `token encryption key id "${k.id}" is configured twice`);
    keys.set(k.id, k.key);
  }

  return {
    activeKeyId: first.id,
    encrypt(plain, context = '') {
      const iv = randomBytes(IV_BYTES);
      const c = createCipheriv('aes-256-gcm', first.key, iv, { authTagLength: TAG_BYTES });
      c.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return { keyId: first.id, data: V2 + Buffer.concat([iv, c.getAuthTag(), body]).toString('base64') };
    },
    decrypt(keyId, data, context = '') {
      const key = keys.get(keyId);
      if (!key) throw new AppError('CONFIG_INVALID', `no token encryption key with id "${keyId}" is configured`);
      const bound = data.startsWith(V2);
      const raw = Buffer.from(bound ? data.slice(V2.length) : data, 'base64');
      if (raw.length < IV_BYTES + TAG_BYTES) throw new AppError('INTERNAL', 'token ciphertext is truncated');
      const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      d.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      if (bound) d.setAAD(Buffer.from(context, 'utf8'));
      return Buffer.concat([d.update(raw.subarray(IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8');
    },
    needsReencrypt: (keyId, data) => keyId !== first.id || (data !== undefined && !data.startsWith(V2)),
  };
}
