import { createTokenCipher } from '@b24app/core';
import { createDb } from '@b24app/db';
import { createPortalClients, createPortalRateLimiter, createPrismaTokenStore } from '@b24app/bitrix24';
import { encodePhpForm } from '@b24app/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, waitFor } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

/**
 * Issue 10 item 4: a token refresh held the portal row `FOR UPDATE` across the OAuth call, and the click
 * INSERT's foreign-key check (`FOR KEY SHARE` on that row) waited for it: a slow OAuth server stalled intake.
 */
describe('a hung token refresh does not block click intake', () => {
  it('clicks are accepted and recorded while another process waits on a slow OAuth server', async () => {
    const p = await stack.installedPortal();
    // "Another process": its own pool, its own clients, whose OAuth server never answers within the test.
    const otherDb = createDb(stack.config.DATABASE_URL, { poolSize: 2 });
    let oauthCalled = false;
    let oauthDown = false;
    let failOAuth: (e: Error) => void = () => {};
    const hungOAuth: typeof fetch = () =>
      new Promise((_resolve, reject) => {
        oauthCalled = true;
        if (oauthDown) reject(new Error('OAuth server unreachable'));
        failOAuth = reject;
      });
    const clients = createPortalClients({
      store: createPrismaTokenStore(otherDb, createTokenCipher(stack.config.TOKEN_ENCRYPTION_KEY)),
      limiter: createPortalRateLimiter(stack.redis),
      clientId: stack.clientId,
      clientSecret: stack.clientSecret,
      logger: stack.logs.logger,
      oauthTimeoutMs: 60_000,
      retry: { maxAttempts: 1 },
      fetch: hungOAuth,
    });
    try {
      const client = await clients.get(p.memberId);
      await stack.emu.expireTokens(p.memberId);
      let refreshSettled = false;
      const call = client
        .call('user.current')
        .catch(() => undefined)
        .finally(() => {
          refreshSettled = true;
        });
      // The refresh is inside its critical section (the row is locked) and waiting on OAuth.
      await waitFor(() => oauthCalled);

      const clicks = await Promise.all(
        [1, 2, 3].map((n) =>
          fetch(`${stack.serverUrl}/b24/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: encodePhpForm({
              event: 'ONCRMTIMELINEITEMACTION',
              event_handler_id: '1',
              data: { id: 'approve', entityTypeId: '2', entityId: String(p.dealId), activityId: String(700 + n) },
              ts: String(Math.floor(Date.now() / 1000)),
              auth: {
                domain: p.domain,
                server_endpoint: stack.emulator.oauthServerEndpoint,
                client_endpoint: `http://${p.domain}/rest/`,
                member_id: p.memberId,
                user_id: String(p.adminUserId),
                application_token: p.applicationToken,
              },
            }),
          }),
        ),
      );
      expect(clicks.map((r) => r.status)).toEqual([200, 200, 200]);
      // Answered and durable while the refresh still hangs.
      expect(refreshSettled).toBe(false);
      const portal = await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
      expect(await stack.db.timelineEvent.count({ where: { portalId: portal.id } })).toBe(3);
      oauthDown = true;
      failOAuth(new Error('OAuth server unreachable'));
      await call;
      clients.close();
    } finally {
      await otherDb.$disconnect().catch(() => {});
    }
  }, 90_000);
});
