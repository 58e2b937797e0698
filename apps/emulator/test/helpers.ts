import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { parsePhpForm } from '../src/http/php-form.js';
import { type RunningEmulator, startEmulator } from '../src/index.js';

// Test helpers: the per-file emulator setup, a tiny app stand-in that records what the portal POSTs to it,
// and raw REST calls.

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

/** What useEmulator sets up; p and dealId are there only when asked for. */
export interface EmulatorEnv {
  emu: RunningEmulator;
  receiver: Receiver;
  /** a portal with the app installed, new for each test (option portal) */
  p: InstalledPortal;
  /** a deal on that portal, new for each test (option deal) */
  dealId: number;
}

export interface EmulatorEnvOptions {
  /** emu.client.reset() before each test (default true) */
  reset?: boolean;
  /** before each test the receiver forgets what it got, answers 200 and drops its hook; it forgets the setup's own requests too */
  resetReceiver?: boolean;
  /** before each test: portalWithApp(emu, receiver) as env.p */
  portal?: boolean;
  /** with portal: a deal (entityTypeId 2) with this title as env.dealId */
  deal?: string;
  /** with portal: ONCRMTIMELINEITEMACTION bound to {receiver}/events with the app's token */
  bindClicks?: boolean;
}

/**
 * Registers the hooks of a test file: an emulator and a receiver started once (beforeAll) and closed at the end
 * (afterAll), and the per-test state the options ask for (beforeEach). The returned object is filled in by the hooks.
 */
export function useEmulator(o: EmulatorEnvOptions = {}): EmulatorEnv {
  const env = {} as EmulatorEnv;
  beforeAll(async () => {
    env.emu = await startEmulator({ port: 0, logger: false });
    env.receiver = await startReceiver();
  });
  afterAll(async () => {
    await env.emu?.close();
    await env.receiver?.close();
  });
  beforeEach(async () => {
    const { emu, receiver } = env;
    if (o.reset !== false) await emu.client.reset();
    if (o.resetReceiver) {
      receiver.received.length = 0;
      receiver.status = 200;
      receiver.onRequest = undefined;
    }
    if (!o.portal) return;
    env.p = await portalWithApp(emu, receiver);
    if (o.deal !== undefined) {
      env.dealId = (await emu.client.createCrmItem(env.p.memberId, { entityTypeId: 2, title: o.deal })).id;
    }
    if (o.bindClicks) {
      await rest(
        env.p.clientEndpoint,
        'event.bind',
        { event: 'ONCRMTIMELINEITEMACTION', handler: `${receiver.url}/events` },
        env.p.token,
      );
    }
    if (o.resetReceiver) receiver.received.length = 0;
  });
  return env;
}
