import { z } from 'zod';
import { startEmulator } from './emulator.js';

// `npm run start:emulator`: the emulator alone. The only file that reads the environment.

const env = z
  .object({
    EMULATOR_PORT: z.coerce.number().int().min(0).default(4000),
    EMULATOR_HOST: z.string().default('127.0.0.1'),
    EMULATOR_TOKEN_TTL: z.coerce.number().int().positive().default(3600),
    /** refresh-token lifetime in seconds (default 30 days) */
    EMULATOR_REFRESH_TOKEN_TTL: z.coerce.number().int().positive().optional(),
    EMULATOR_SEND_USER_ID: z.enum(['true', 'false']).default('false'),
    EMULATOR_RETRY_DELIVERIES: z.enum(['true', 'false']).default('false'),
  })
  .parse(process.env);

const emulator = await startEmulator({
  port: env.EMULATOR_PORT,
  host: env.EMULATOR_HOST,
  accessTokenTtlSec: env.EMULATOR_TOKEN_TTL,
  ...(env.EMULATOR_REFRESH_TOKEN_TTL ? { settings: { refreshTokenTtlSec: env.EMULATOR_REFRESH_TOKEN_TTL } } : {}),
  sendUserIdInData: env.EMULATOR_SEND_USER_ID === 'true',
  retryFailedDeliveries: env.EMULATOR_RETRY_DELIVERIES === 'true',
});

console.log(`Bitrix24 emulator: ${emulator.url}  (OAuth server_endpoint ${emulator.oauthServerEndpoint})`);
console.log(`Control API: ${emulator.url}/_emulator  UI: ${emulator.url}/`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void emulator.close().then(() => process.exit(0));
  });
}
