import { randomUUID } from 'node:crypto';
import { type SpawnedApp, spawnApp } from '@b24app/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approvalCreatedSchema,
  approvalDetailsSchema,
} from '../../apps/server/src/approvals/approval-responses.schemas.js';
import { adminApi, issueApiKey, keyHeaders } from '../support/api-keys.js';
import { createApproval } from '../support/approvals.js';
import { freePort } from '../support/redis-server.js';
import { apiHeaders, type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

// Issue 13: portal API keys act on their portal only, stop at once on every replica when revoked, and each has
// its own rate limit. The replicas are real server processes on the stack's database and Redis.

const RATE = { perSecond: 3, burst: 3 };

let stack: Stack;
let a: InstalledPortal;
let b: InstalledPortal;
const replicas: { app: SpawnedApp; url: string }[] = [];

beforeAll(async () => {
  stack = await startStack({
    creator: true,
    env: { API_KEY_RATE_PER_S: String(RATE.perSecond), API_KEY_RATE_BURST: String(RATE.burst) },
  });
  [a, b] = [await stack.installedPortal(), await stack.installedPortal()];
  await Promise.all(
    [0, 1].map(async () => {
      const port = await freePort();
      const app = spawnApp('apps/server/src/main.ts', {
        ...stack.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      });
      replicas.push({ app, url: `http://127.0.0.1:${port}` });
      await app.waitFor(/server listening/, 60_000);
    }),
  );
}, 120_000);
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.app.stop('SIGKILL')));
  await stack?.close();
});

const post = (base: string, headers: Record<string, string>, body: unknown) =>
  fetch(`${base}/api/v1/approvals`, { method: 'POST', headers, body: JSON.stringify(body) });
const read = (base: string, headers: Record<string, string>, id: string) =>
  fetch(`${base}/api/v1/approvals/${id}`, { headers });
const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('portal API keys: a key acts on its own portal only', () => {
  it('creates on its portal without memberId, records which key created it, and reads it back', async () => {
    const key = await issueApiKey(stack, a, 'ERP');
    const res = await post(stack.serverUrl, keyHeaders(key.apiKey), {
      ownerTypeId: 2,
      ownerId: a.dealId,
      title: 'By key',
    });
    expect(res.status).toBe(201);
    const created = approvalCreatedSchema.parse(await res.json());
    const row = await stack.db.approval.findUniqueOrThrow({ where: { id: created.id }, include: { portal: true } });
    expect(row).toMatchObject({ apiKeyId: key.id, activityId: created.activityId });
    expect(row.portal.memberId).toBe(a.memberId);
    // memberId may also be given, when it is the key's own portal (any case).
    const named = await post(stack.serverUrl, keyHeaders(key.apiKey), {
      memberId: a.memberId.toUpperCase(),
      ownerTypeId: 2,
      ownerId: a.dealId,
      title: 'Named',
    });
    expect(named.status).toBe(201);

    const got = await read(stack.serverUrl, keyHeaders(key.apiKey), created.id);
    expect(got.status).toBe(200);
    expect(approvalDetailsSchema.parse(await got.json())).toMatchObject({ id: created.id, memberId: a.memberId });
    // The operator reads every portal's approvals.
    expect((await read(stack.serverUrl, apiHeaders, created.id)).status).toBe(200);
  });

  it('a key of portal A naming portal B is 403 PORTAL_MISMATCH, and nothing is created on B', async () => {
    const key = await issueApiKey(stack, a, 'Wrong portal');
    const before = await stack.emu.activities(b.memberId);
    const rowsBefore = await stack.db.approval.count({ where: { portal: { memberId: b.memberId } } });
    const res = await post(stack.serverUrl, keyHeaders(key.apiKey), {
      memberId: b.memberId,
      ownerTypeId: 2,
      ownerId: b.dealId,
      title: 'Not yours',
    });
    expect(res.status).toBe(403);
    expect(await errorCode(res)).toBe('PORTAL_MISMATCH');
    expect(await stack.emu.activities(b.memberId)).toEqual(before);
    expect(await stack.emu.calls({ memberId: b.memberId, method: 'crm.activity.configurable.add' })).toEqual([]);
    expect(await stack.db.approval.count({ where: { portal: { memberId: b.memberId } } })).toBe(rowsBefore);
  });

  it("a key of portal A reading portal B's approval gets 404, as for an approval that does not exist", async () => {
    const key = await issueApiKey(stack, a, 'Reader');
    const theirs = await createApproval(stack, { memberId: b.memberId, ownerId: b.dealId, title: "B's approval" });
    const res = await read(stack.serverUrl, keyHeaders(key.apiKey), theirs.id);
    expect(res.status).toBe(404);
    const missing = await read(stack.serverUrl, keyHeaders(key.apiKey), randomUUID());
    expect({ status: missing.status, code: await errorCode(missing) }).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await errorCode(res)).toBe('NOT_FOUND');
  });

  it('the operator token still acts on every portal, and must name it', async () => {
    const res = await post(stack.serverUrl, apiHeaders, { ownerTypeId: 2, ownerId: b.dealId, title: 'No portal' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details.map((d) => d.path)).toEqual(['memberId']);
    const ok = await createApproval(stack, { memberId: b.memberId, ownerId: b.dealId, title: 'Operator' });
    expect((await stack.db.approval.findUniqueOrThrow({ where: { id: ok.id } })).apiKeyId).toBeNull();
  });

  it('a made-up key in the right format, or a near miss of a real one, is 401', async () => {
    const key = await issueApiKey(stack, a, 'Near miss');
    const forged = `b24a_${'A'.repeat(43)}`;
    const near = key.apiKey.slice(0, -1) + (key.apiKey.endsWith('x') ? 'y' : 'x');
    for (const k of [forged, near, key.apiKey.slice(0, -1)]) {
      const res = await read(stack.serverUrl, keyHeaders(k), randomUUID());
      expect({ status: res.status, code: await errorCode(res) }).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    }
  });
});

describe('revoking a key', () => {
  it('stops it at once on every server replica (no cache outlives the revoke)', async () => {
    const key = await issueApiKey(stack, a, 'To revoke');
    const mine = await createApproval(stack, { memberId: a.memberId, ownerId: a.dealId, title: 'Before revoke' });
    // Both replicas accept it (and so have looked it up, were there a cache to fill).
    for (const r of replicas) expect((await read(r.url, keyHeaders(key.apiKey), mine.id)).status).toBe(200);

    const admin = await adminApi(stack, a);
    expect((await admin('DELETE', `/api-keys/${key.id}`)).status).toBe(200);
    // The very next request on each replica is refused: no wait, no poll.
    for (const r of replicas) {
      const res = await read(r.url, keyHeaders(key.apiKey), mine.id);
      expect({ status: res.status, code: await errorCode(res) }).toEqual({ status: 401, code: 'UNAUTHORIZED' });
      const create = await post(r.url, keyHeaders(key.apiKey), { ownerTypeId: 2, ownerId: a.dealId, title: 'After' });
      expect(create.status).toBe(401);
    }
    expect(await stack.db.approval.count({ where: { title: 'After' } })).toBe(0);
    // The page lists it as revoked, with when.
    const listed = (await admin('GET', '/api-keys')).json.keys.find((k: { id: string }) => k.id === key.id);
    expect(listed.revokedAt).toEqual(expect.any(String));
  });

  it('uninstalling the app revokes every key of the portal; a reinstall does not bring them back', async () => {
    const p = await stack.installedPortal();
    const key = await issueApiKey(stack, p, 'Uninstalled');
    const row = await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
    await stack.emu.uninstallApp(p.memberId, stack.clientId);
    await stack.emu.waitForDeliveries({ memberId: p.memberId, event: 'ONAPPUNINSTALL' });
    await waitFor(async () => (await stack.db.apiKey.findUniqueOrThrow({ where: { id: key.id } })).revokedAt !== null);
    expect((await read(stack.serverUrl, keyHeaders(key.apiKey), randomUUID())).status).toBe(401);

    await stack.emu.installApp(p.memberId, stack.clientId, { userId: p.adminUserId });
    await waitFor(async () => (await stack.db.portal.findUniqueOrThrow({ where: { id: row.id } })).status === 'ACTIVE');
    expect((await read(stack.serverUrl, keyHeaders(key.apiKey), randomUUID())).status).toBe(401);
  });
});

describe('the per-key rate limit', () => {
  it('a flood gets 429 API_RATE_LIMITED with Retry-After, across replicas; other keys and the operator are unaffected', async () => {
    const flooder = await issueApiKey(stack, a, 'Flooder');
    const calm = await issueApiKey(stack, a, 'Calm');
    const mine = await createApproval(stack, { memberId: a.memberId, ownerId: a.dealId, title: 'Limited' });
    // Twice what the limit admits in the seconds such a flood can take, half on each replica.
    const flood = await Promise.all(
      Array.from({ length: 40 }, (_, i) => read(replicas[i % 2]!.url, keyHeaders(flooder.apiKey), mine.id)),
    );
    const limited = flood.filter((r) => r.status === 429);
    expect(flood.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    expect(limited.length).toBeGreaterThan(0);
    for (const r of limited) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await errorCode(r)).toBe('API_RATE_LIMITED');
    }
    // Only what the limit admits got through: one window of rate + burst per second the flood lasted (≥ 1).
    const passed = flood.length - limited.length;
    expect(passed).toBeGreaterThanOrEqual(1);
    expect(passed).toBeLessThan(flood.length / 2);
    // Another key of the same portal, and the operator, are answered as usual meanwhile.
    expect((await read(replicas[0]!.url, keyHeaders(calm.apiKey), mine.id)).status).toBe(200);
    expect((await read(replicas[1]!.url, apiHeaders, mine.id)).status).toBe(200);
  });
});

describe('the app page issues, lists and revokes keys (administrators only)', () => {
  it('shows the key and its signing secret once; the list has only a prefix and the last four', async () => {
    const admin = await adminApi(stack, a);
    const issued = await admin('POST', '/api-keys', { name: '  Billing  ' });
    expect(issued.status).toBe(201);
    expect(issued.json.apiKey).toMatch(/^b24a_[A-Za-z0-9_-]{43}$/);
    expect(issued.json.signingSecret).toMatch(/^b24s_[A-Za-z0-9_-]{43}$/);
    expect(issued.json.key).toMatchObject({
      name: 'Billing',
      prefix: issued.json.apiKey.slice(0, 9),
      last4: issued.json.apiKey.slice(-4),
      createdBy: { id: a.adminUserId },
      revokedAt: null,
    });
    const list = await admin('GET', '/api-keys');
    const text = JSON.stringify(list.json);
    expect(text).toContain(issued.json.key.id);
    expect(text).not.toContain(issued.json.apiKey.slice(9));
    expect(text).not.toContain(issued.json.signingSecret.slice(9));
    expect(text).not.toContain('signingSecret');
  });

  it('refuses a non-admin, a bad name, and another portal’s key', async () => {
    const userId = (await stack.emu.createUser(a.memberId, { name: 'Olga', admin: false })).id;
    const user = await adminApi(stack, a, userId);
    for (const [method, path, body] of [
      ['GET', '/api-keys', undefined],
      ['POST', '/api-keys', { name: 'Mine' }],
      ['DELETE', `/api-keys/${randomUUID()}`, undefined],
    ] as const) {
      const res = await user(method, path, body);
      expect({ status: res.status, code: res.json.error.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    }
    const admin = await adminApi(stack, a);
    for (const name of ['', '   ', 'x'.repeat(101)]) {
      const res = await admin('POST', '/api-keys', { name });
      expect({ status: res.status, code: res.json.error.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    }
    const theirs = await issueApiKey(stack, b, 'B key');
    const res = await admin('DELETE', `/api-keys/${theirs.id}`);
    expect(res.status).toBe(404);
    expect((await stack.db.apiKey.findUniqueOrThrow({ where: { id: theirs.id } })).revokedAt).toBeNull();
  });
});
