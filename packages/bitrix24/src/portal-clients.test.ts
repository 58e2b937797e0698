import { createLogger } from '@b24app/core';
import { describe, expect, it } from 'vitest';
import { createPortalClients } from './portal-clients.js';
import type { PortalRateLimiter } from './portal-rate-limiter.js';
import type { PortalCredentials, TokenStore } from './token-store.js';

/** A token store of fixed portals that counts how often a client had to be built (one `load` each). */
function countingStore(memberIds: string[]) {
  const versions = new Map(memberIds.map((m) => [m, 1]));
  const loads: string[] = [];
  const creds = (memberId: string): PortalCredentials => ({
    memberId,
    domain: `${memberId}.bitrix24.com`,
    clientEndpoint: `https://${memberId}.bitrix24.com/rest/`,
    serverEndpoint: 'https://oauth.bitrix.info/rest/',
    scope: 'crm',
    accessToken: `at-${memberId}`,
    refreshToken: `rt-${memberId}`,
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
    version: versions.get(memberId) ?? 0,
  });
  const store: TokenStore = {
    async load(memberId) {
      loads.push(memberId);
      return versions.has(memberId) ? creds(memberId) : null;
    },
    async version(memberId) {
      return versions.get(memberId) ?? null;
    },
    withRefreshLock: () => Promise.reject(new Error('not used')),
    markNeedsReinstall: () => Promise.reject(new Error('not used')),
  };
  return { store, loads, bump: (m: string) => versions.set(m, (versions.get(m) ?? 0) + 1) };
}

function clientsOver(memberIds: string[], opts: { maxClients?: number; idleTtlMs?: number } = {}) {
  let t = 1_000_000;
  const s = countingStore(memberIds);
  const clients = createPortalClients({
    store: s.store,
    limiter: {} as PortalRateLimiter, // calls are not made here
    clientId: 'local.test',
    clientSecret: 'secret',
    logger: createLogger({ level: 'silent', name: 'test' }),
    now: () => t,
    ...opts,
  });
  const advance = (ms: number) => {
    t += ms;
  };
  return { clients, loads: s.loads, bump: s.bump, advance };
}

describe('portal clients: bounded, expiring', () => {
  it('keeps one client per portal while it is in use, and rebuilds it after a token change', async () => {
    const { clients, loads, bump } = clientsOver(['a']);
    const first = await clients.get('a');
    expect(await clients.get('a')).toBe(first);
    expect(loads).toEqual(['a']);
    bump('a'); // a reinstall or another process's rotation
    expect(await clients.get('a')).not.toBe(first);
    expect(loads).toEqual(['a', 'a']);
    clients.close();
  });

  it('holds at most maxClients, dropping the least recently used', async () => {
    const { clients, loads } = clientsOver(['a', 'b', 'c'], { maxClients: 2 });
    await clients.get('a');
    await clients.get('b');
    await clients.get('a'); // a is now more recent than b
    await clients.get('c');
    expect(clients.size).toBe(2);
    await clients.get('a');
    expect(loads).toEqual(['a', 'b', 'c']); // a stayed
    await clients.get('b');
    expect(loads).toEqual(['a', 'b', 'c', 'b']); // b had been dropped
    clients.close();
  });

  it('drops clients idle longer than idleTtlMs, without waiting for the map to fill', async () => {
    const { clients, loads, advance } = clientsOver(['a', 'b', 'c'], { idleTtlMs: 60_000 });
    await clients.get('a');
    await clients.get('b');
    advance(30_000);
    await clients.get('b');
    advance(40_000); // a idle 70 s, b 40 s
    await clients.get('c');
    expect(clients.size).toBe(2); // a swept by that get
    await clients.get('b');
    expect(loads).toEqual(['a', 'b', 'c']);
    await clients.get('a');
    expect(loads).toEqual(['a', 'b', 'c', 'a']);
    clients.close();
    expect(clients.size).toBe(0);
  });

  it('an unknown portal is refused and leaves nothing behind', async () => {
    const { clients } = clientsOver(['a']);
    await expect(clients.get('nope')).rejects.toMatchObject({ kind: 'TOKEN_REVOKED' });
    expect(clients.size).toBe(0);
    clients.close();
  });
});
