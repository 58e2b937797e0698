// The second half of `npm start` (see start.mjs): migrations, then the emulator, the server and the worker
// as separate processes, then a demo portal with the app installed. Ctrl-C stops everything.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EmulatorClient, seedDemo } from '@b24app/emulator';

const root = fileURLToPath(new URL('..', import.meta.url));
const EMULATOR_PORT = Number(process.env.EMULATOR_PORT ?? 4000);
const PORT = Number(process.env.PORT ?? 3000);
const WORKER_HEALTH_PORT = Number(process.env.WORKER_HEALTH_PORT ?? 3001);

// Local demo secrets: generated once, kept in .run/ (git-ignored) so a restart can still decrypt its tokens.
mkdirSync(`${root}.run`, { recursive: true });
const secretsFile = `${root}.run/demo-secrets.json`;
const secrets: { key: string; apiToken: string; clientSecret: string } = existsSync(secretsFile)
  ? JSON.parse(readFileSync(secretsFile, 'utf8'))
  : {
      key: randomBytes(32).toString('base64'),
      apiToken: randomBytes(18).toString('hex'),
      clientSecret: randomBytes(18).toString('hex'),
    };
writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });

const clientId = 'local.demo00000000000001.00000001';
const env: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/b24app',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0',
  APP_URL: `http://127.0.0.1:${PORT}`,
  PORT: String(PORT),
  HOST: '127.0.0.1',
  WORKER_HEALTH_PORT: String(WORKER_HEALTH_PORT),
  B24_CLIENT_ID: clientId,
  B24_CLIENT_SECRET: secrets.clientSecret,
  TOKEN_ENCRYPTION_KEY: secrets.key,
  B24_OAUTH_HOSTS: `127.0.0.1:${EMULATOR_PORT}`,
  B24_PORTAL_HOSTS: '127.0.0.1:*',
  B24_ALLOW_HTTP: 'true',
  B24_JS_SDK_URL: `http://127.0.0.1:${EMULATOR_PORT}/bx24/api/v1/`,
  API_TOKEN: secrets.apiToken,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  EMULATOR_PORT: String(EMULATOR_PORT),
};

console.log('» migrating the database');
const migrated = spawnSync(
  process.execPath,
  ['--conditions=development', '--import', 'tsx', 'packages/db/src/cli/migrate.ts'],
  {
    cwd: root,
    env,
    stdio: 'inherit',
  },
);
if (migrated.status !== 0) process.exit(1);

const children: ChildProcess[] = [];
function start(name: string, entry: string, ready: RegExp): Promise<void> {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', entry], { cwd: root, env });
  children.push(child);
  return new Promise((resolve, reject) => {
    const onData = (b: Buffer) => {
      for (const line of b.toString().split('\n')) if (line.trim()) process.stdout.write(`[${name}] ${line}\n`);
      if (ready.test(b.toString())) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      reject(new Error(`${name} exited with code ${code}`));
      if (!stopping) shutdown(1);
    });
  });
}

let stopping = false;
function shutdown(code: number) {
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3_000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.on('exit', r))))).then(() =>
    process.exit(code),
  );
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

try {
  await start('emulator', 'apps/emulator/src/main.ts', /Bitrix24 emulator/);
  await Promise.all([
    start('server', 'apps/server/src/main.ts', /server listening/),
    start('worker', 'apps/worker/src/main.ts', /worker started/),
  ]);
  const emu = new EmulatorClient(`http://127.0.0.1:${EMULATOR_PORT}`);
  const demo = await seedDemo(emu, {
    installUrl: `${env.APP_URL}/b24/install`,
    appUrl: `${env.APP_URL}/b24/app`,
    clientId,
    clientSecret: secrets.clientSecret,
    memberId: 'de00000000000000000000000000demo'.replace(/[^0-9a-f]/g, '0'),
  });
  if (demo.installStatus !== 200) throw new Error(`the app's install page answered ${demo.installStatus}`);
  console.log(`
──────────────────────────────────────────────────────────────────────────────
 Bitrix24 emulator   ${demo.urls.emulator}
 Demo deal (timeline) ${demo.urls.deal}
 Call/event log      ${demo.urls.log}
 Server              ${env.APP_URL}  (/healthz, /readyz, /metrics)
 Worker probes       http://127.0.0.1:${WORKER_HEALTH_PORT}/readyz

 Create an approval on the demo deal, then click Approve or Reject on the deal page:
   curl -s -X POST ${env.APP_URL}/api/v1/approvals \\
     -H 'Authorization: Bearer ${secrets.apiToken}' -H 'Content-Type: application/json' \\
     -d '{"memberId":"${demo.memberId}","ownerTypeId":2,"ownerId":${demo.dealId},"title":"Discount 15%","description":"Please approve"}'
 Ctrl-C stops everything.
──────────────────────────────────────────────────────────────────────────────`);
} catch (e) {
  console.error(`npm start failed: ${(e as Error).message}`);
  shutdown(1);
}
