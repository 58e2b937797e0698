import { describe, expect, it } from 'vitest';
import { seedDemo } from '../src/index.js';
import { useEmulator } from './helpers.js';

const env = useEmulator({ reset: false });

describe('seedDemo', () => {
  it('creates the demo portal, installs the app with a frame POST and returns URLs that answer', async () => {
    const demo = await seedDemo(env.emu.client, {
      installUrl: `${env.receiver.url}/b24/install`,
      appUrl: `${env.receiver.url}/b24/app`,
      clientId: 'local.demo0000000000.00000001',
      clientSecret: 'demo-secret',
    });
    expect(demo.installStatus).toBe(200);
    expect(demo.users.map((u) => u.admin)).toEqual([true, false, false]);
    const frame = env.receiver.received.find((r) => r.path === '/b24/install');
    expect(frame?.body).toMatchObject({ member_id: demo.memberId, APPLICATION_TOKEN: demo.applicationToken });
    const health = await fetch(`${env.emu.url}/_emulator/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', portals: expect.any(Number) });
    for (const url of Object.values(demo.urls)) {
      expect((await fetch(url)).status, url).toBe(200);
    }
    const deal = await (await fetch(demo.urls.deal)).text();
    expect(deal).toContain('Demo deal: 100 office chairs');
    // a fixed member id cannot be taken twice
    await expect(env.emu.client.createPortal({ memberId: demo.memberId })).rejects.toMatchObject({
      code: 'PORTAL_EXISTS',
      status: 409,
    });
  });

  it('the control API answers stable error codes', async () => {
    await expect(env.emu.client.createUser('0'.repeat(32), { name: 'X' })).rejects.toMatchObject({
      code: 'PORTAL_NOT_FOUND',
      status: 404,
    });
    await expect(env.emu.client.registerApp({ installUrl: 'not a url' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      status: 400,
    });
  });
});
