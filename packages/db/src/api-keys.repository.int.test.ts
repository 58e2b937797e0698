import { createTokenCipher, sha256Hex } from '@b24app/core';
import { randomMemberId, TEST_DATABASE_URL, TEST_ENCRYPTION_KEY, waitFor } from '@b24app/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeysRepository } from './api-keys.repository.js';
import { createDb } from './client.js';

const db = createDb(TEST_DATABASE_URL, { poolSize: 3 });
const cipher = createTokenCipher([TEST_ENCRYPTION_KEY]);
const keys = createApiKeysRepository(db, cipher);
const portalIds: string[] = [];
const admin = { id: 1, name: 'Admin' };

async function portal(): Promise<string> {
  const memberId = randomMemberId();
  const p = await db.portal.create({
    data: {
      memberId,
      domain: `${memberId}.example.com`,
      clientEndpoint: `https://${memberId}.example.com/rest/`,
      serverEndpoint: 'https://oauth.bitrix.info/rest/',
    },
  });
  portalIds.push(p.id);
  return p.id;
}

let portalA: string;
let portalB: string;
beforeAll(async () => {
  [portalA, portalB] = [await portal(), await portal()];
});
afterAll(async () => {
  await db.portal.deleteMany({ where: { id: { in: portalIds } } });
  await db.$disconnect();
});

describe('api_keys (the one writer)', () => {
  it('issues a recognisable key stored only as its hash, with a sealed signing secret read back for callbacks', async () => {
    const issued = await keys.issue({ portalId: portalA, name: 'ERP', createdBy: admin });
    expect(issued.apiKey).toMatch(/^b24a_[A-Za-z0-9_-]{43}$/);
    expect(issued.signingSecret).toMatch(/^b24s_[A-Za-z0-9_-]{43}$/);
    expect(issued.key).toMatchObject({
      name: 'ERP',
      prefix: issued.apiKey.slice(0, 9),
      last4: issued.apiKey.slice(-4),
      createdBy: admin,
      lastUsedAt: null,
      revokedAt: null,
    });
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: issued.key.id } });
    expect(row.keyHash).toBe(sha256Hex(issued.apiKey));
    // Neither the key nor the secret is anywhere in the row in clear.
    expect(JSON.stringify(row)).not.toContain(issued.apiKey.slice(5));
    expect(JSON.stringify(row)).not.toContain(issued.signingSecret.slice(5));
    expect(await keys.signingSecretOf(issued.key.id)).toBe(issued.signingSecret);
    expect(await keys.signingSecretOf('00000000-0000-4000-8000-000000000000')).toBeNull();
    // The sealed secret is bound to its row: copied onto another key's row it no longer opens.
    const other = await keys.issue({ portalId: portalA, name: 'Other', createdBy: admin });
    await db.apiKey.update({
      where: { id: other.key.id },
      data: { signingSecretEnc: row.signingSecretEnc, signingSecretKeyId: row.signingSecretKeyId },
    });
    await expect(keys.signingSecretOf(other.key.id)).rejects.toThrow();
  });

  it('verify: the live key gives its portal; a near miss, a revoked key or an uninstalled portal gives null', async () => {
    const { apiKey, key } = await keys.issue({ portalId: portalB, name: 'Script', createdBy: admin });
    const memberId = (await db.portal.findUniqueOrThrow({ where: { id: portalB } })).memberId;
    expect(await keys.verify(apiKey)).toEqual({ id: key.id, portalId: portalB, memberId });
    const flipped = apiKey.slice(0, -1) + (apiKey.endsWith('A') ? 'B' : 'A');
    expect(await keys.verify(flipped)).toBeNull();
    expect(await keys.verify('not-a-key')).toBeNull();
    // Used: last_used_at is set (off the request path), once.
    await waitFor(async () => (await db.apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt !== null);
    const first = (await db.apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt;
    await keys.verify(apiKey);
    await keys.verify(apiKey);
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt).toEqual(first);

    // Another portal cannot revoke it; its own portal can, and then it is refused.
    expect(await keys.revoke(portalA, key.id, 2)).toBe(false);
    expect(await keys.verify(apiKey)).not.toBeNull();
    expect(await keys.revoke(portalB, key.id, 2)).toBe(true);
    expect(await keys.verify(apiKey)).toBeNull();
    const revoked = (await keys.list(portalB)).find((k) => k.id === key.id);
    expect(revoked?.revokedAt).toBeInstanceOf(Date);
    // Revoking again answers true and keeps the first time.
    expect(await keys.revoke(portalB, key.id, 3)).toBe(true);
    expect((await keys.list(portalB)).find((k) => k.id === key.id)?.revokedAt).toEqual(revoked?.revokedAt);

    const live = await keys.issue({ portalId: portalB, name: 'Live', createdBy: admin });
    await db.portal.update({ where: { id: portalB }, data: { status: 'UNINSTALLED' } });
    expect(await keys.verify(live.apiKey)).toBeNull();
    await db.portal.update({ where: { id: portalB }, data: { status: 'ACTIVE' } });
    expect(await keys.revokeAllOfPortal(portalB)).toBe(1);
    expect(await keys.verify(live.apiKey)).toBeNull();
    expect(await keys.countActive(portalB)).toBe(0);
  });

  it('list is per portal, newest first, and never carries the key or the secret', async () => {
    const p = await portal();
    const a = await keys.issue({ portalId: p, name: 'First', createdBy: admin });
    const b = await keys.issue({ portalId: p, name: 'Second', createdBy: admin });
    const listed = await keys.list(p);
    expect(listed.map((k) => k.name)).toEqual(['Second', 'First']);
    const text = JSON.stringify(listed);
    for (const s of [a.apiKey, b.apiKey, a.signingSecret, b.signingSecret]) expect(text).not.toContain(s.slice(9));
    await db.$transaction((tx) => keys.purgePortal(tx, p));
    expect(await keys.list(p)).toEqual([]);
  });
});
