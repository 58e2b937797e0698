import { createHash, randomBytes } from 'node:crypto';

// Ids are deterministic (a counter hashed), so a reset emulator hands out the same member ids and
// client ids again; tokens are random, so nothing can be guessed from a log.

export function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

export function memberIdFor(seq: number): string {
  return md5(`emulator-portal-${seq}`);
}

export function clientIdFor(seq: number): string {
  const h = md5(`emulator-app-${seq}`);
  const digits = String(Number.parseInt(h.slice(14, 22), 16) % 100_000_000).padStart(8, '0');
  return `local.${h.slice(0, 14)}.${digits}`;
}

export function clientSecretFor(seq: number): string {
  return createHash('sha256').update(`emulator-secret-${seq}`).digest('base64url').slice(0, 50);
}

export function applicationTokenFor(
  memberId: string,
  clientId: string,
  clientSecret: string,
  installSeq: number,
): string {
  return md5(`${memberId}|${clientId}|${clientSecret}|${installSeq}`);
}

/** Real tokens are ~70 hex characters. */
export function newToken(): string {
  return randomBytes(35).toString('hex');
}

export function newHex32(): string {
  return randomBytes(16).toString('hex');
}
