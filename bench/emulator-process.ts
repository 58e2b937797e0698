import { EmulatorClient, type RunningEmulator } from '@b24app/emulator';
import { spawnApp } from '@b24app/testing';
import { freePort } from '../test/support/redis-server.js';

/**
 * The emulator in a process of its own, so a benchmark measures our server and worker rather than
 * Bitrix24's stand-in competing with them for the same event loop. In-process state (`context`) is
 * not available this way; everything goes through its HTTP control API.
 */
export async function startEmulatorProcess(): Promise<RunningEmulator> {
  const port = await freePort();
  const proc = spawnApp('apps/emulator/src/main.ts', { EMULATOR_PORT: String(port) });
  await proc.waitFor(/Bitrix24 emulator/, 30_000);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    oauthServerEndpoint: `${url}/rest/`,
    client: new EmulatorClient(url),
    get context(): never {
      throw new Error('the emulator runs in another process: use its control API');
    },
    close: async () => void (await proc.stop('SIGTERM')),
  };
}
