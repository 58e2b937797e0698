import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenCipher, type TokenCipher } from '@b24app/core';
import type { Db } from '@b24app/db';
import { type RunningEmulator, startEmulator } from '@b24app/emulator';
import { randomMemberId, TEST_ENCRYPTION_KEY } from '@b24app/testing';
import { createPrismaTokenStore } from '../src/prisma-token-store.js';

/**
 * What every client integration test needs: the emulator (portal + OAuth server), a stand-in app endpoint that
 * answers the install POST, and a portal row in the real test database holding encrypted tokens the emulator's
 * OAuth server issued.
 */
export interface Harness {
  emu: RunningEmulator;
  cipher: TokenCipher;
  clientId: string;
  clientSecret: string;
  /** Every access and refresh token the emulator's OAuth server issued so far (for the log grep). */
  issuedTokens(): string[];
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const app: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  const emu = await startEmulator({ port: 0, logger: false });
  const registered = await emu.client.registerApp({ installUrl: `${appUrl}/b24/install`, scope: 'crm,user' });
  return {
    emu,
    cipher: createTokenCipher([`k1:${TEST_ENCRYPTION_KEY}`]),
    clientId: registered.clientId,
    clientSecret: registered.clientSecret,
    issuedTokens: () => [...emu.context.state.accessTokens.keys(), ...emu.context.state.refreshTokens.keys()],
    async close() {
      await emu.close();
      app.closeAllConnections();
      await new Promise((r) => app.close(r));
    },
  };
}

export interface InstalledPortal {
  memberId: string;
  clientEndpoint: string;
  accessToken: string;
  refreshToken: string;
  /** The token version the install stored (each rotation adds one). */
  version: number;
}

/** A fresh emulator portal with our app installed, its tokens stored (encrypted) as the install path would. */
export async function installPortal(
  h: Harness,
  db: Db,
  opts: { limits?: { burst?: number; drainPerSec?: number }; storedExpiresAt?: number } = {},
): Promise<InstalledPortal> {
  // The emulator's own member ids repeat in every run while the test database is shared: use a random one.
  const portal = await h.emu.client.createPortal({
    memberId: randomMemberId(),
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
  await h.emu.client.installApp(portal.memberId, h.clientId);
  const tokens = await h.emu.client.issueTokens(portal.memberId, h.clientId);
  const installed = await createPrismaTokenStore(db, h.cipher).install({
    memberId: portal.memberId,
    domain: portal.domain,
    clientEndpoint: tokens.client_endpoint,
    serverEndpoint: tokens.server_endpoint,
    scope: tokens.scope,
    appStatus: null,
    tokens: {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresAt: opts.storedExpiresAt ?? tokens.expires,
    },
    finished: true,
    requireStoredApplicationToken: false,
  });
  return {
    memberId: portal.memberId,
    clientEndpoint: tokens.client_endpoint,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    version: installed.stored ? installed.version : 0,
  };
}

/** REST calls the emulator logged for a portal (OAuth calls excluded). */
export async function restCalls(h: Harness, memberId: string, method?: string) {
  const calls = await h.emu.client.calls({ memberId, ...(method ? { method } : {}) });
  return calls.filter((c) => c.kind === 'rest');
}
