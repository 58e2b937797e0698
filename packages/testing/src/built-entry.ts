import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Which code a spawned app runs: the compiled `dist` JS production runs, or its TypeScript sources under tsx. */
export type AppRuntime = { kind: 'dist'; entry: string } | { kind: 'tsx'; entry: string; why: string };

const TEST_FILE = /\.(int\.)?test\.ts$/;

/** Newest mtime (ms) of the files under `dir` accepted by `keep`; 0 when there are none. */
function newestMtime(dir: string, keep: (name: string) => boolean): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !keep(e.name)) continue;
    newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}

/** The app's workspace and every `@b24app/*` workspace it depends on, directly or not (production dependencies). */
function workspaceClosure(repoRoot: string, appDir: string): string[] {
  const dirs = ['apps', 'packages'].flatMap((top) => readdirSync(join(repoRoot, top)).map((d) => `${top}/${d}`));
  const byName = new Map<string, string>();
  const deps = new Map<string, string[]>();
  for (const dir of dirs) {
    const file = join(repoRoot, dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; dependencies?: Record<string, string> };
    if (pkg.name) byName.set(pkg.name, dir);
    deps.set(dir, Object.keys(pkg.dependencies ?? {}));
  }
  const out = new Set<string>();
  const visit = (dir: string) => {
    if (out.has(dir)) return;
    out.add(dir);
    for (const name of deps.get(dir) ?? []) {
      const d = byName.get(name);
      if (d) visit(d);
    }
  };
  visit(appDir);
  return [...out];
}

/**
 * `apps/<app>/src/main.ts` → `apps/<app>/dist/main.js` when that build is current: the app and every workspace
 * it depends on has a `dist` at least as new as its newest non-test `.ts` source. Otherwise the sources under
 * tsx, with the reason, so a bench can say which it measured.
 */
export function resolveAppRuntime(repoRoot: string, entry: string): AppRuntime {
  const m = /^(apps\/[^/]+)\/src\/(.+)\.ts$/.exec(entry);
  if (!m) return { kind: 'tsx', entry, why: `${entry} is not an app's src entry` };
  const [, appDir, rest] = m;
  const built = `${appDir}/dist/${rest}.js`;
  if (!existsSync(join(repoRoot, built))) return { kind: 'tsx', entry, why: `no ${built} (run npm run build)` };
  for (const ws of workspaceClosure(repoRoot, appDir!)) {
    const src = newestMtime(join(repoRoot, ws, 'src'), (n) => n.endsWith('.ts') && !TEST_FILE.test(n));
    const dist = newestMtime(join(repoRoot, ws, 'dist'), (n) => n.endsWith('.js'));
    if (dist < src) return { kind: 'tsx', entry, why: `${ws}/dist is older than its sources (run npm run build)` };
  }
  return { kind: 'dist', entry: built };
}
