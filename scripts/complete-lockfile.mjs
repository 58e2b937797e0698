// The npm registry this project's machines reach serves no packages for other platforms (darwin, win32,
// musl, arm…), so `npm install` writes a lock file without the platform-specific optional dependencies of
// biome, rollup, esbuild, turbo, msgpackr…, and `npm ci` then refuses it as "out of sync". This adds an
// entry for every missing optional dependency and gives every entry without an integrity hash the one the
// registry's metadata has (it serves the metadata of those packages, not their tarballs), with their
// os/cpu/libc: `npm ci` then skips them on other platforms without fetching, and a machine of their
// platform verifies what it downloads like any other package.
// Usage: node scripts/complete-lockfile.mjs [--check] [--lock=<file>]   (run after every `npm install`; `npm run check` verifies,
// offline: it fails on a missing entry or a missing integrity, which only this script, online, can fill)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const lockArg = process.argv.find((a) => a.startsWith('--lock='));
const file = lockArg
  ? lockArg.slice('--lock='.length)
  : fileURLToPath(new URL('../package-lock.json', import.meta.url));
const lock = JSON.parse(readFileSync(file, 'utf8'));
const pk = lock.packages;
const check = process.argv.includes('--check');

const missing = [];
for (const [path, entry] of Object.entries(pk)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${path ? `${path}/` : ''}node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (pk[nested] || pk[hoisted]) continue;
    missing.push(name);
    pk[hoisted] = {
      version: String(range).replace(/^[\^~=]/, ''),
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
    };
  }
}

// Registry packages only: the workspaces and links have no tarball, hence no integrity.
const unhashed = Object.entries(pk).filter(
  ([path, e]) =>
    path.includes('node_modules/') && !e.link && !e.integrity && !String(e.resolved ?? '').startsWith('file:'),
);

if (check) {
  const problems = [];
  if (missing.length) problems.push(`lacks ${missing.length} optional platform packages`);
  if (unhashed.length) {
    problems.push(
      `has ${unhashed.length} entries without an integrity hash (${unhashed
        .slice(0, 3)
        .map(([p]) => p.slice(p.lastIndexOf('node_modules/') + 13))
        .join(', ')}…)`,
    );
  }
  if (problems.length) {
    console.error(`package-lock.json ${problems.join(' and ')}: run node scripts/complete-lockfile.mjs`);
    process.exit(1);
  }
  process.exit(0);
}

const failed = [];
for (const [path, entry] of unhashed) {
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  try {
    const manifest = JSON.parse(
      execFileSync('npm', ['view', `${name}@${entry.version}`, '--json'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    );
    const m = Array.isArray(manifest) ? manifest.at(-1) : manifest;
    if (!m?.dist?.integrity) throw new Error('no integrity in the registry metadata');
    Object.assign(entry, {
      integrity: m.dist.integrity,
      ...(m.cpu ? { cpu: m.cpu } : {}),
      ...(m.libc ? { libc: m.libc } : {}),
      ...(m.license ? { license: m.license } : {}),
      ...(m.os ? { os: m.os } : {}),
      ...(m.engines ? { engines: m.engines } : {}),
    });
  } catch (e) {
    failed.push(`${name}@${entry.version}: ${e.message.split('\n')[0]}`);
  }
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(
  `complete-lockfile: added ${missing.length} entries, hashed ${unhashed.length - failed.length} of ${unhashed.length}`,
);
if (failed.length) {
  console.error(`complete-lockfile: no integrity for:\n  ${failed.join('\n  ')}`);
  process.exit(1);
}
