import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { parsePhpForm } from './php-form.js';

const MAX_BODY_BYTES = 20 * 1024 * 1024;

export async function readRawBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new Error('BODY_TOO_LARGE');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(contentType: string, raw: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes('application/json')) {
    // like CRestUtil::getRequestData: invalid JSON is an empty body
    try {
      const parsed: unknown = JSON.parse(raw);
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  if (contentType.includes('multipart/')) return {};
  return parsePhpForm(raw) as Record<string, unknown>;
}

/** Query parameters merged with the body (body wins), as PHP's array_replace($_GET, $_POST) does. */
export function requestParams(contentType: string | undefined, raw: string, query: string): Record<string, unknown> {
  const fromQuery = parsePhpForm(query) as Record<string, unknown>;
  const fromBody = parseBody((contentType ?? '').toLowerCase(), raw);
  return { ...fromQuery, ...fromBody };
}

const AUTH_PARAM_KEYS = ['auth', 'access_token', 'auth_connector'];

/** Token in the order Bitrix24 checks: Bearer header, then `auth`, then `access_token`. Auth params are stripped. */
export function extractAuth(
  headers: IncomingHttpHeaders,
  params: Record<string, unknown>,
): { token: string | null; params: Record<string, unknown> } {
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) if (!AUTH_PARAM_KEYS.includes(k)) rest[k] = v;
  const header = headers.authorization;
  if (typeof header === 'string' && /^bearer\s+/i.test(header)) {
    const t = header.replace(/^bearer\s+/i, '').trim();
    if (t) return { token: t, params: rest };
  }
  for (const key of ['auth', 'access_token']) {
    const v = params[key];
    if (typeof v === 'string' && v !== '') return { token: v, params: rest };
  }
  return { token: null, params: rest };
}

const SECRET_KEYS = new Set([
  'auth',
  'access_token',
  'refresh_token',
  'client_secret',
  'code',
  'AUTH_ID',
  'REFRESH_ID',
]);

/** A copy fit for the call log: no token or secret survives. */
export function redactParams(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) out[k] = SECRET_KEYS.has(k) ? '***' : v;
  return out;
}
