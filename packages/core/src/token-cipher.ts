import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from './errors.js';

/**
 * AES-256-GCM with a key ring. Ciphertexts are stored with the id of the key that made them, so
 * a new key can be introduced without downtime: new writes use the active key, old rows still
 * decrypt with the retired keys until re-encrypted (`needsReencrypt`).
 */
export interface TokenCipher {
  readonly activeKeyId: string;
  encrypt(plain: string): { keyId: string; data: string };
  decrypt(keyId: string, data: string): string;
  needsReencrypt(keyId: string): boolean;
}

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
  const keys = new Map(all.map((k) => [k.id, k.key]));

  return {
    activeKeyId: first.id,
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', first.key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return { keyId: first.id, data: Buffer.concat([iv, c.getAuthTag(), body]).toString('base64') };
    },
    decrypt(keyId, data) {
      const key = keys.get(keyId);
      if (!key) throw new AppError('CONFIG_INVALID', `no token encryption key with id "${keyId}" is configured`);
      const raw = Buffer.from(data, 'base64');
      const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    },
    needsReencrypt: (keyId) => keyId !== first.id,
  };
}
