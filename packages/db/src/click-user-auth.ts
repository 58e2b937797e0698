/**
 * The clicking user's token as the click row keeps it: sealed by the token cipher (AES-256-GCM, the key ring of
 * the portal tokens), never in plain text, and only until the click is DONE. The server seals it at intake; the
 * worker opens it to prove who clicked.
 */
import type { TokenCipher } from '@b24app/core';

export interface ClickUserAuth {
  accessToken: string;
  /** Unix ms the token stops being valid. */
  expiresAt: number;
}

export function sealClickUserAuth(cipher: Pick<TokenCipher, 'encrypt'>, auth: ClickUserAuth) {
  return cipher.encrypt(JSON.stringify({ t: auth.accessToken, e: auth.expiresAt }));
}

/** Null when the row has none (a delivery without a token, a DONE click) or it no longer opens. */
export function openClickUserAuth(
  cipher: Pick<TokenCipher, 'decrypt'>,
  row: { userAuthEnc: string | null; userAuthKeyId: string | null },
): ClickUserAuth | null {
  if (!row.userAuthEnc || !row.userAuthKeyId) return null;
  try {
    const v = JSON.parse(cipher.decrypt(row.userAuthKeyId, row.userAuthEnc)) as { t?: unknown; e?: unknown };
    return typeof v.t === 'string' && typeof v.e === 'number' ? { accessToken: v.t, expiresAt: v.e } : null;
  } catch {
    return null;
  }
}
