import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDb } from '@b24app/db';
import { captureLogs, randomMemberId, TEST_DATABASE_URL, TEST_REDIS_URL } from '@b24app/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPortalClients,
  createPortalRateLimiter,
  createPrismaTokenStore,
  type PortalClientsDeps,
  type PortalInstall,
} from '../src/index.js';
import { type Harness, installPortal, restCalls, startHarness } from './harness.js';

// Issue 10 item 8: where portal calls go when a portal's endpoint changes or answers with a redirect.

const db = createDb(TEST_DATABASE_URL, { poolSize: 4 });
const redis = new Redis(TEST_REDIS_URL);
const logs = captureLogs('debug');
let h: Harness;

/** A stand-in host that records what reaches it and answers with `answer`. */
async function recordingHost(answer: (req: IncomingMessage) => { status: number; headers?: Record<string, string> }) {
  const seen: { url: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ url: req.url ?? '', body });
      const a = answer(req);
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
  await Promise.all([db.$disconnect(), redis.quit()]);
});

const clientsFor = (over: Partial<PortalClientsDeps> = {}) =>
  createPortalClients({
    store: createPrismaTokenStore(db, h.cipher),
    limiter: createPortalRateLimiter(redis, {
      policy: { burst: 1000, drainPerSec: 500 },
      keyPrefix: `test:endpoint:${randomMemberId()}`,
    }),
    clientId: h.clientId,
    clientSecret: h.clientSecret,
    logger: logs.logger,
    requestTimeoutMs: 2000,
    retry: { maxAttempts: 1 },
    ...over,
  });

/** Re-stores the portal's current tokens with another client endpoint (as a reinstall after a rename does). */
async function moveEndpoint(memberId: string, clientEndpoint: string) {
  const store = createPrismaTokenStore(db, h.cipher);
  const creds = await store.load(memberId);
  if (!creds) throw new Error('portal has no tokens');
  const input: PortalInstall = {
    memberId,
    domain: new URL(clientEndpoint).host,
    clientEndpoint,
    serverEndpoint: creds.serverEndpoint,
    scope: creds.scope,
    appStatus: null,
    tokens: { accessToken: creds.accessToken, refreshToken: creds.refreshToken, expiresAt: creds.expiresAt },
    finished: true,
    requireStoredApplicationToken: false,
  };
  expect(await store.install(input)).toMatchObject({ stored: true });
}

describe('portal endpoints', () => {
  it('never follows a redirect: the token is not re-sent to the host a 307 names', async () => {
    const p = await installPortal(h, db);
    const target = await recordingHost(() => ({ status: 200 }));
    const redirector = await recordingHost((req) => ({
      status: 307,
      headers: { location: `${target.url}${req.url ?? '/'}` },
    }));
    try {
      await moveEndpoint(p.memberId, `${redirector.url}/rest/`);
      const client = await clientsFor().get(p.memberId);
      const err = await client.call('user.current').catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'Bitrix24Error', status: 307 });
      expect(redirector.seen).toHaveLength(1);
      expect(target.seen).toEqual([]);
      expect(JSON.stringify(err)).not.toContain(p.accessToken);
      expect(String((err as Error).message)).not.toContain(p.accessToken);
    } finally {
      await Promise.all([target.close(), redirector.close()]);
    }
  });

  it('a process with a cached client follows an endpoint another process stored', async () => {
    const p = await installPortal(h, db);
    const old = await recordingHost(() => ({ status: 503 }));
    try {
      await moveEndpoint(p.memberId, `${old.url}/rest/`);
      // This process caches its client while the old endpoint is stored...
      const clients = clientsFor();
      const stale = await clients.get(p.memberId);
      await stale.call('user.current').catch(() => undefined);
      expect(old.seen.length).toBeGreaterThan(0);
      const hitsBefore = old.seen.length;
      // ...then another process's reinstall stores the portal's real endpoint.
      await moveEndpoint(p.memberId, p.clientEndpoint);
      const fresh = await clients.get(p.memberId);
      expect(fresh).not.toBe(stale);
      await expect(fresh.call<{ ID: string }>('user.current')).resolves.toMatchObject({ ID: '1' });
      expect(old.seen).toHaveLength(hitsBefore);
      expect((await restCalls(h, p.memberId, 'user.current')).length).toBe(1);
      expect(await clients.get(p.memberId)).toBe(fresh); // and cached again
    } finally {
      await old.close();
    }
  });

  it('keeps at most maxClients clients, dropping the least recently used', async () => {
    const [a, b, c] = [await installPortal(h, db), await installPortal(h, db), await installPortal(h, db)];
    const clients = clientsFor({ maxClients: 2 });
    const ca = await clients.get(a.memberId);
    const cb = await clients.get(b.memberId);
    expect(await clients.get(a.memberId)).toBe(ca); // a is now the most recent
    await clients.get(c.memberId); // evicts b
    expect(await clients.get(a.memberId)).toBe(ca);
    expect(await clients.get(b.memberId)).not.toBe(cb);
  });

  it('drops a client unused for longer than idleTtlMs', async () => {
    const p = await installPortal(h, db);
    const clients = clientsFor({ idleTtlMs: 0 });
    const first = await clients.get(p.memberId);
    const usedAt = Date.now();
    while (Date.now() === usedAt) await new Promise((r) => setImmediate(r)); // the clock moved past a zero TTL
    expect(await clients.get(p.memberId)).not.toBe(first);
  });
});
