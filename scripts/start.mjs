// `npm start`: the whole local stack for a newcomer, from a fresh clone.
// This file needs nothing but Node: it installs dependencies when missing, makes sure PostgreSQL and
// Redis are reachable (starting local ones, or `docker compose` ones, when they are not), then hands over
// to scripts/start-stack.ts (migrations, emulator, server, worker, demo portal).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts }).status === 0;
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const reachable = (port) =>
  new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(false);
    });
  });
const waitFor = async (port, seconds) => {
  for (let i = 0; i < seconds * 4; i++) {
    if (await reachable(port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
};

if (!existsSync(`${root}node_modules/.package-lock.json`)) {
  console.log('» installing dependencies (npm ci)');
  if (!run('npm', ['ci', '--no-audit', '--no-fund'])) process.exit(1);
}
if (!existsSync(`${root}packages/db/src/generated/prisma/client.ts`)) run('npm', ['run', 'db:generate']);
// The app page's front end is served from its build (apps/app-page/dist), the rest runs from sources.
if (!existsSync(`${root}apps/app-page/dist/.vite/manifest.json`)) {
  console.log('» building the app page (vite)');
  if (!run('npm', ['run', 'build', '-w', '@b24app/app-page'])) process.exit(1);
}

// Only local defaults are managed here; with DATABASE_URL / REDIS_URL set, those servers are yours.
if (!process.env.DATABASE_URL && !(await reachable(5432))) {
  console.log('» PostgreSQL is not running on 127.0.0.1:5432: starting it');
  if (has('pg_ctlcluster')) {
    const versions = spawnSync('ls', ['/etc/postgresql'], { encoding: 'utf8' }).stdout.trim().split('\n');
    run('pg_ctlcluster', ['--skip-systemctl-redirect', versions.at(-1), 'main', 'start']);
  } else if (has('docker')) run('docker', ['compose', 'up', '-d', 'postgres']);
  if (!(await waitFor(5432, 30))) {
    console.error(
      'PostgreSQL is not reachable. Install it, or run `docker compose up -d postgres`, then `npm start` again.',
    );
    process.exit(1);
  }
}
if (!process.env.REDIS_URL && !(await reachable(6379))) {
  console.log('» Redis is not running on 127.0.0.1:6379: starting it');
  if (has('redis-server'))
    run('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', '6379', '--appendonly', 'yes']);
  else if (has('docker')) run('docker', ['compose', 'up', '-d', 'redis']);
  if (!(await waitFor(6379, 30))) {
    console.error('Redis is not reachable. Install it, or run `docker compose up -d redis`, then `npm start` again.');
    process.exit(1);
  }
}

const stack = spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', 'scripts/start-stack.ts'], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(stack.status ?? 1);
