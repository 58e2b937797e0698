import { createCipheriv, randomBytes } from 'node:crypto';
import { createTokenCipher } from '@b24app/core';
import { createDb } from '@b24app/db';
import { randomMemberId, TEST_DATABASE_URL, TEST_ENCRYPTION_KEY } from '@b24app/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createPrismaTokenStore, encryptTokenColumns, type PortalInstall } from './prisma-token-store.js';

const db = createDb(TEST_DATABASE_URL, { poolSize: 6 });
// A second client stands for a second process (its own connection pool).
const otherProcessDb = createDb(TEST_DATABASE_URL, { poolSize: 2 });
afterAll(() => Promise.all([db.$disconnect(), otherProcessDb.$disconnect()]));

const OLD_KEY = `old:${Buffer.alloc(32, 7).toString('base64')}`;
const NEW_KEY = `new:${TEST_ENCRYPTION_KEY}`;
const inFuture = () => Math.floor(Date.now() / 1000) + 3600;
const token = () => `${randomMemberId()}${randomMemberId()}`; // 64 hex chars, like a real one
const nowSec = () => Math.floor(Date.now() / 1000);

const installOf = (memberId: string, o: { eventTs?: number; expiresAt?: number } = {}): PortalInstall => ({
  memberId,
  domain: 'example.bitrix24.com',
  clientEndpoint: 'https://example.bitrix24.com/rest/',
  serverEndpoint: 'https://oauth.bitrix.info/rest/',
  scope: 'crm',
  appStatus: 'L',
  tokens: { accessToken: token(), refreshToken: token(), expiresAt: o.expiresAt ?? inFuture() },
  applicationToken: randomMemberId(),
  eventTs: o.eventTs,
  finished: false,
  requireStoredApplicationToken: false,
});

async function seedPortal(
  cipherKeys: { active: string[]; retired?: string[] },
  tokens = { accessToken: token(), refreshToken: token() },
) {
  const memberId = randomMemberId();
  const cipher = createTokenCipher(cipherKeys.active, cipherKeys.retired);
  await db.portal.create({
    data: {
      memberId,
      domain: 'example.bitrix24.com',
      clientEndpoint: 'https://example.bitrix24.com/rest/',
      serverEndpoint: 'https://oauth.bitrix.info/rest/',
      scope: 'crm',
      ...encryptTokenColumns(cipher, memberId, { ...tokens, expiresAt: inFuture() }),
    },
  });
  return { memberId, ...tokens };
}

const rawRow = async (memberId: string) =>
  (await db.$queryRaw<Record<string, unknown>[]>`SELECT * FROM portals WHERE member_id = ${memberId}`)[0] as Record<
    string,
    unknown
  >;

describe('Prisma token store', () => {
  it('keeps tokens encrypted at rest and decrypts them on load', async () => {
    const store = createPrismaTokenStore(db, createTokenCipher([NEW_KEY]));
    const seeded = await seedPortal({ active: [NEW_KEY] });
    const raw = JSON.stringify(await rawRow(seeded.memberId));
    expect(raw).not.toContain(seeded.accessToken);
    expect(raw).not.toContain(seeded.refreshToken);
    expect(raw).toContain('"token_key_id":"new"');

    const creds = await store.load(seeded.memberId);
    expect(creds).toMatchObject({
      memberId: seeded.memberId,
      accessToken: seeded.accessToken,
      refreshToken: seeded.refreshToken,
      clientEndpoint: 'https://example.bitrix24.com/rest/',
      serverEndpoint: 'https://oauth.bitrix.info/rest/',
      version: 0,
    });
  });

  it('loads nothing for unknown, uninstalled or needs-reinstall portals', async () => {
    const store = createPrismaTokenStore(db, createTokenCipher([NEW_KEY]));
    expect(await store.load(randomMemberId())).toBeNull();
    const a = await seedPortal({ active: [NEW_KEY] });
    await db.portal.update({ where: { memberId: a.memberId }, data: { status: 'UNINSTALLED' } });
    expect(await store.load(a.memberId)).toBeNull();
    await expect(store.withRefreshLock(a.memberId, async () => null)).rejects.toMatchObject({ kind: 'TOKEN_REVOKED' });
  });

  it('persists rotated tokens under the lock with version + 1, encrypted', async () => {
    const store = createPrismaTokenStore(db, createTokenCipher([NEW_KEY]));
    const seeded = await seedPortal({ active: [NEW_KEY] });
    const next = { accessToken: token(), refreshToken: token(), expiresAt: inFuture() + 10 };
    const fresh = await store.withRefreshLock(seeded.memberId, async (current) => {
      expect(current.refreshToken).toBe(seeded.refreshToken);
      return next;
    });
    expect(fresh).toMatchObject({ ...next, version: 1 });
    expect(await store.load(seeded.memberId)).toMatchObject({ ...next, version: 1 });
    const raw = JSON.stringify(await rawRow(seeded.memberId));
    expect(raw).not.toContain(next.accessToken);
    expect(raw).not.toContain(next.refreshToken);
  });

  it('serializes critical sections across connections: the second one sees the first one’s rotation', async () => {
    // Two stores, as two processes would have; each fn holds the lock for a while.
    const s1 = createPrismaTokenStore(db, createTokenCipher([NEW_KEY]));
    const s2 = createPrismaTokenStore(otherProcessDb, createTokenCipher([NEW_KEY]));
    const seeded = await seedPortal({ active: [NEW_KEY] });
    const seen: number[] = [];
    let inside = 0;
    let maxInside = 0;
    const section = (store: typeof s1) =>
      store.withRefreshLock(seeded.memberId, async (current) => {
        inside += 1;
        maxInside = Math.max(maxInside, inside);
        seen.push(current.version);
        // proves something does NOT happen (two holders inside at once): a bounded hold, not a synchronisation
        await new Promise((r) => setTimeout(r, 150));
        inside -= 1;
        return { accessToken: token(), refreshToken: token(), expiresAt: inFuture() };
      });
    const results = await Promise.all([section(s1), section(s2), section(s1)]);
    expect(maxInside).toBe(1);
    expect(seen.sort()).toEqual([0, 1, 2]);
    expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3]);
  });

  it('reads a row written with a retired key and re-encrypts it with the active key on the next write', async () => {
    const seeded = await seedPortal({ active: [OLD_KEY] });
    expect((await rawRow(seeded.memberId)).token_key_id).toBe('old');
    // Rotation: the new key is active, the old one retired.
    const store = createPrismaTokenStore(db, createTokenCipher([NEW_KEY], [OLD_KEY]));
    expect(await store.load(seeded.memberId)).toMatchObject({ accessToken: seeded.accessToken });

    // Taking the lock without rotating tokens re-encrypts (same version: clients need not notice).
    const same = await store.withRefreshLock(seeded.memberId, async () => null);
    expect(same.version).toBe(0);
    const row = await rawRow(seeded.memberId);
    expect(row.token_key_id).toBe('new');
    // Readable with the new key alone: the old key can now be dropped.
    const newOnly = createPrismaTokenStore(db, createTokenCipher([NEW_KEY]));
    expect(await newOnly.load(seeded.memberId)).toMatchObject({
      accessToken: seeded.accessToken,
      refreshToken: seeded.refreshToken,
    });
  });

  it('markNeedsReinstall forgets the tokens, and with ifVersion leaves a newer install alone', async () => {
    const store = createPrismaTokenStore(db, createTokenCipher([NEW_KEY]));
    const a = await seedPortal({ active: [NEW_KEY] });
    const installed = await store.install(installOf(a.memberId));
    expect(installed).toMatchObject({ stored: true, version: 1 });
    await store.markNeedsReinstall(a.memberId, 'invalid_grant', { ifVersion: 0 });
    expect(await store.load(a.memberId)).not.toBeNull();

    await store.markNeedsReinstall(a.memberId, 'invalid_grant', { ifVersion: 1 });
    expect(await store.load(a.memberId)).toBeNull();
    const row = await rawRow(a.memberId);
    expect(row).toMatchObject({ status: 'NEEDS_REINSTALL', access_token_enc: null, refresh_token_enc: null });
  });

  it('install creates the portal with its tokens and application-token hash, encrypted', async () => {
    const store = createPrismaTokenStore(db, createTokenCipher([NEW_KEY]));
    const input = installOf(randomMemberId(), { eventTs: nowSec() });
    const out = await store.install(input);
    expect(out).toMatchObject({ stored: true, reinstall: false, version: 1 });
    expect(await store.load(input.memberId)).toMatchObject({ ...input.tokens, version: 1 });
    const raw = JSON.stringify(await rawRow(input.memberId));
    expect(raw).not.toContain(input.tokens.accessToken);
    expect(raw).not.toContain(input.applicationToken);
    expect(raw).toMatch(/"application_token_hash":"[0-9a-f]{64}"/);
  });

  it('a replayed older install (earlier ts or earlier expiry) does not replace newer tokens', async () => {
    const store = createPrismaTokenStore(db, createTokenCipher([NEW_KEY]));
    const memberId = randomMemberId();
    const newer = installOf(memberId, { eventTs: nowSec(), expiresAt: inFuture() });
    await store.install(newer);
    const olderTs = installOf(memberId, { eventTs: nowSec() - 60, expiresAt: inFuture() + 60 });
    expect(await store.install(olderTs)).toMatchObject({ stored: false, reason: 'older_than_stored' });
    const olderExpiry = installOf(memberId, { expiresAt: inFuture() - 600 });
    expect(await store.install(olderExpiry)).toMatchObject({ stored: false, reason: 'older_than_stored' });
    expect(await store.load(memberId)).toMatchObject({ ...newer.tokens, version: 1 });
    // Dead tokens are replaced by any verified install, whatever its age.
    await store.revoke(memberId, { status: 'NEEDS_REINSTALL', reason: 'test' });
    expect(await store.install(olderExpiry)).toMatchObject({ stored: true, version: 3 });
  });

  it('an update of an installed portal must present the stored application token', async () => {
    const store = createPrismaTokenStore(db, createTokenCipher([NEW_KEY]));
    const first = installOf(randomMemberId());
    await store.install(first);
    const forged = { ...installOf(first.memberId), requireStoredApplicationToken: true };
    await expect(store.install(forged)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await store.load(first.memberId)).toMatchObject(first.tokens);
    const genuine = { ...installOf(first.memberId), applicationToken: first.applicationToken };
    expect(await store.install({ ...genuine, requireStoredApplicationToken: true })).toMatchObject({ stored: true });
  });

  it('revoke ignores an uninstall older than the latest install, and purges in the same transaction', async () => {
    const store = createPrismaTokenStore(db, createTokenCipher([NEW_KEY]));
    const input = installOf(randomMemberId(), { eventTs: nowSec() });
    await store.install(input);
    const purged: string[] = [];
    const late = await store.revoke(input.memberId, {
      status: 'UNINSTALLED',
      reason: 'uninstalled',
      eventTs: nowSec() - 30,
      purge: async (_tx, portalId) => void purged.push(portalId),
    });
    expect(late).toEqual({ revoked: false, reason: 'stale' });
    expect(purged).toEqual([]);
    expect(await store.load(input.memberId)).not.toBeNull();
    const current = await store.revoke(input.memberId, {
      status: 'UNINSTALLED',
      reason: 'uninstalled',
      eventTs: nowSec() + 1,
      purge: async (_tx, portalId) => void purged.push(portalId),
    });
    expect(current).toMatchObject({ revoked: true });
    expect(purged).toHaveLength(1);
    expect(await store.load(input.memberId)).toBeNull();
    expect(await store.revoke(randomMemberId(), { status: 'UNINSTALLED', reason: 'x' })).toEqual({
      revoked: false,
      reason: 'unknown',
    });
  });

  it("refuses a ciphertext copied from another portal's row", async () => {
    const store = createPrismaTokenStore(db, createTokenCipher([NEW_KEY]));
    const a = await seedPortal({ active: [NEW_KEY] });
    const b = await seedPortal({ active: [NEW_KEY] });
    const rowA = await rawRow(a.memberId);
    // Someone with write access to the table moves A's tokens into B's row.
    await db.$executeRaw`UPDATE portals SET access_token_enc = ${rowA.access_token_enc as string},
      refresh_token_enc = ${rowA.refresh_token_enc as string} WHERE member_id = ${b.memberId}`;
    const err = await store.load(b.memberId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).not.toContain(a.accessToken);
    // Swapping the two columns of one row is refused as well.
    await db.$executeRaw`UPDATE portals SET access_token_enc = refresh_token_enc, refresh_token_enc = access_token_enc
      WHERE member_id = ${a.memberId}`;
    await expect(store.load(a.memberId)).rejects.toThrow();
  });

  it('reads a legacy (unbound) row and re-encrypts it bound to its row the first time a lock is taken', async () => {
    const seeded = await seedPortal({ active: [NEW_KEY] });
    const key = Buffer.from(TEST_ENCRYPTION_KEY, 'base64');
    const legacy = (plain: string) => {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
    };
    await db.$executeRaw`UPDATE portals SET access_token_enc = ${legacy(seeded.accessToken)},
      refresh_token_enc = ${legacy(seeded.refreshToken)} WHERE member_id = ${seeded.memberId}`;
    const store = createPrismaTokenStore(db, createTokenCipher([NEW_KEY]));
    expect(await store.load(seeded.memberId)).toMatchObject({ accessToken: seeded.accessToken });
    const same = await store.withRefreshLock(seeded.memberId, async () => null);
    expect(same.version).toBe(0);
    const row = await rawRow(seeded.memberId);
    expect(row.access_token_enc).toMatch(/^v2\./);
    expect(row.refresh_token_enc).toMatch(/^v2\./);
    expect(await store.load(seeded.memberId)).toMatchObject({
      accessToken: seeded.accessToken,
      refreshToken: seeded.refreshToken,
    });
  });
});

describe('Prisma token store: the refresh token’s age (token keep-alive)', () => {
  const store = createPrismaTokenStore(db, createTokenCipher([NEW_KEY]));
  const issuedAt = async (memberId: string) => (await rawRow(memberId)).refresh_issued_at as Date | null;

  it('every new pair records when its refresh token was issued; a re-encryption or a revoke does not renew it', async () => {
    const m = randomMemberId();
    const before = Date.now();
    await store.install(installOf(m));
    const installed = await issuedAt(m);
    expect(installed?.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect((await store.load(m))?.refreshIssuedAt).toBe(Math.floor((installed?.getTime() ?? 0) / 1000));

    // A lock taken without a rotation (nothing to re-encrypt) leaves the issue time alone.
    await store.withRefreshLock(m, async () => null);
    expect(await issuedAt(m)).toEqual(installed);
    await store.noteKeepAliveFailure(m, 'token keep-alive failed: NETWORK_ERROR');
    expect((await rawRow(m)).status_reason).toBe('token keep-alive failed: NETWORK_ERROR');

    // A rotation renews it and clears the keep-alive's note.
    const rotated = await store.withRefreshLock(m, async () => ({
      accessToken: token(),
      refreshToken: token(),
      expiresAt: inFuture(),
    }));
    const renewed = await issuedAt(m);
    expect(renewed?.getTime()).toBeGreaterThanOrEqual(installed?.getTime() ?? 0);
    expect(rotated.refreshIssuedAt).toBe(Math.floor((renewed?.getTime() ?? 0) / 1000));
    expect((await rawRow(m)).status_reason).toBeNull();

    await store.revoke(m, { status: 'UNINSTALLED', reason: 'uninstalled' });
    expect(await issuedAt(m)).toBeNull();
    // A note never lands on a portal that is not active (its reason says why it is not).
    await store.noteKeepAliveFailure(m, 'token keep-alive failed: X');
    expect((await rawRow(m)).status_reason).toBe('uninstalled');
  });

  it('finds the installed portals whose refresh token was issued before the cutoff, oldest first', async () => {
    const [old, older, young, gone] = [randomMemberId(), randomMemberId(), randomMemberId(), randomMemberId()];
    for (const m of [old, older, young, gone]) await store.install(installOf(m));
    const day = 24 * 3600 * 1000;
    // Fixture: ages the rows as weeks without a refresh would have.
    const age = (m: string, days: number) =>
      db.portal.update({ where: { memberId: m }, data: { refreshIssuedAt: new Date(Date.now() - days * day) } });
    await age(old, 22);
    await age(older, 25);
    await age(young, 3);
    await age(gone, 30);
    await store.markNeedsReinstall(gone, 'invalid_grant on token refresh');

    const due = (await store.keepAliveDue(new Date(Date.now() - 21 * day), 10_000)).map((p) => p.memberId);
    const ours = due.filter((m) => [old, older, young, gone].includes(m));
    expect(ours).toEqual([older, old]);
  });
});
