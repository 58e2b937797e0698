// The npm registry this project's machines reach serves no packages for other platforms (darwin, win32,
// musl, arm…), so `npm install` writes a lock file without the platform-specific optional dependencies of
// biome, rollup, esbuild…, and `npm ci` then refuses it as "out of sync". This adds a stub entry for every
// missing optional dependency: `npm ci` accepts the lock, and skips stubs it cannot fetch (they are optional;
// on a machine with the full registry it installs the one for its platform).
// Usage: node scripts/complete-lockfile.mjs [--check]   (run after every `npm install`; `npm run check` verifies)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const file = fileURLToPath(new URL('../package-lock.json', import.meta.url));
const lock = JSON.parse(readFileSync(file, 'utf8'));
const pk = lock.packages;
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
if (process.argv.includes('--check')) {
  if (missing.length) {
    console.error(
      `package-lock.json lacks ${missing.length} optional platform packages: run node scripts/complete-lockfile.mjs`,
    );
    process.exit(1);
  }
  process.exit(0);
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${missing.length} stub entries`);
