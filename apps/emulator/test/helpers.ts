import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parsePhpForm } from '../src/http/php-form.js';
import type { RunningEmulator } from '../src/index.js';

// Test helpers: a tiny app stand-in that records what the portal POSTs to it, and raw REST calls.

export interface ReceivedRequest {
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  raw: string;
  body: Record<string, unknown>;
}

/** what a receiver hook may answer with (undefined = the default 200 HTML) */
export type Answer = { status?: number; body?: string } | undefined;

export interface Receiver {
  url: string;
  received: ReceivedRequest[];
  /** status the receiver answers with (default 200) */
  status: number;
  /** hook run for each request before answering; may return an Answer (undefined: 200 with a bit of HTML) */
  onRequest?: (r: ReceivedRequest) => unknown;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const receiver: Receiver = { url: '', received, status: 200, close: async () => {} };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const r: ReceivedRequest = {
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      raw,
      body: parsePhpForm(raw) as Record<string, unknown>,
    };
    received.push(r);
    const answer = (await receiver.onRequest?.(r)) as Answer;
    res.writeHead(answer?.status ?? receiver.status, { 'content-type': 'text/html; charset=utf-8' });
    res.end(answer?.body ?? '<html>ok</html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

export interface RestAnswer {
  status: number;
  body: Record<string, unknown> & { result?: unknown; error?: string; error_description?: string };
  headers: Headers;
}

/** POSTs JSON to {clientEndpoint}{method} with the token as `auth`. */
export async function rest(
  clientEndpoint: string,
  method: string,
  params: Record<string, unknown>,
  token?: string,
): Promise<RestAnswer> {
  const res = await fetch(`${clientEndpoint}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(token === undefined ? params : { ...params, auth: token }),
  });
  return { status: res.status, body: (await res.json()) as RestAnswer['body'], headers: res.headers };
}

export interface InstalledPortal {
  memberId: string;
  clientEndpoint: string;
  domain: string;
  clientId: string;
  clientSecret: string;
  applicationToken: string;
  token: string;
  refreshToken: string;
}

/** A portal with an app installed (no UI, so no frame POST) and admin tokens. */
export async function portalWithApp(
  emu: RunningEmulator,
  receiver: Receiver,
  o: { scope?: string; plan?: 'standard' | 'enterprise' } = {},
): Promise<InstalledPortal> {
  const portal = await emu.client.createPortal({ plan: o.plan });
  const app = await emu.client.registerApp({ installUrl: `${receiver.url}/install`, withUi: false, scope: o.scope });
  const inst = await emu.client.installApp(portal.memberId, app.clientId);
  const tokens = await emu.client.issueTokens(portal.memberId, app.clientId);
  return {
    memberId: portal.memberId,
    clientEndpoint: portal.clientEndpoint,
    domain: portal.domain,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    applicationToken: inst.applicationToken,
    token: tokens.access_token,
    refreshToken: tokens.refresh_token,
  };
}
