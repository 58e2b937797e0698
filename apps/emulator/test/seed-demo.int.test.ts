import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, seedDemo, startEmulator } from '../src/index.js';
import { type Receiver, startReceiver } from './helpers.js';

let emu: RunningEmulator;
let receiver: Receiver;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, logger: false });
  receiver = await startReceiver();
});
afterAll(async () => {
  await emu.close();
  await receiver.close();
});

describe('seedDemo', () => {
  it('creates the demo portal, installs the app with a frame POST and returns URLs that answer', async () => {
    const demo = await seedDemo(emu.client, {
      installUrl: `${receiver.url}/b24/install`,
      appUrl: `${receiver.url}/b24/app`,
      clientId: 'local.demo0000000000.00000001',
      clientSecret: 'demo-secret',
    });
    expect(demo.installStatus).toBe(200);
    expect(demo.users.map((u) => u.admin)).toEqual([true, false, false]);
    const frame = receiver.received.find((r) => r.path === '/b24/install');
    expect(frame?.body).toMatchObject({ member_id: demo.memberId, APPLICATION_TOKEN: demo.applicationToken });
    for (const url of Object.values(demo.urls)) {
      expect((await fetch(url)).status, url).toBe(200);
    }
    const deal = await (await fetch(demo.urls.deal)).text();
    expect(deal).toContain('Demo deal: 100 office chairs');
    // a fixed member id cannot be taken twice
    await expect(emu.client.createPortal({ memberId: demo.memberId })).rejects.toMatchObject({
      code: 'PORTAL_EXISTS',
      status: 409,
    });
  });

  it('the control API answers stable error codes', async () => {
    await expect(emu.client.createUser('0'.repeat(32), { name: 'X' })).rejects.toMatchObject({
      code: 'PORTAL_NOT_FOUND',
      status: 404,
    });
    await expect(emu.client.registerApp({ installUrl: 'not a url' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      status: 400,
    });
  });
});
