import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '@b24app/core';

export const SIGNATURE_HEADER = 'X-Approvals-Signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` (contract, "Decision callbacks"). */
export function signCallback(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

/**
 * What a receiver does with the header: recompute and compare in constant time, and refuse an old `t` (a
 * replayed delivery). Exported for receivers written in TypeScript and for our tests.
 */
export function verifyCallbackSignature(
  secret: string,
  header: string | undefined,
  body: string,
  opts: { nowSeconds?: number; toleranceSeconds?: number } = {},
): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || typeof parts.v1 !== 'string') return false;
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceSeconds ?? 300)) return false;
  return constantTimeEqual(signCallback(secret, body, t), `t=${t},v1=${parts.v1}`);
}
