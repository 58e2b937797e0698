import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 hex of a secret: what we store instead of secrets we only ever compare. */
export const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * Constant-time equality. Both sides are hashed first so the comparison time depends on neither
 * the content nor the length of the secret.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** Compares a received secret with a stored SHA-256 hex digest of the expected one. */
export function matchesSha256(received: string, storedHex: string): boolean {
  const expected = Buffer.from(storedHex, 'hex');
  const got = createHash('sha256').update(received, 'utf8').digest();
  return expected.length === got.length && timingSafeEqual(expected, got);
}
