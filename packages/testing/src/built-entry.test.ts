import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveAppRuntime } from './built-entry.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A repo of apps/a (depending on packages/p) and packages/q (not a dependency), files written at `at` (s). */
function repo() {
  const root = mkdtempSync(join(tmpdir(), 'built-entry-'));
  roots.push(root);
  const write = (path: string, text: string, at: number) => {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    utimesSync(file, at, at);
  };
  write('apps/a/package.json', JSON.stringify({ name: '@x/a', dependencies: { '@x/p': '*', zod: '*' } }), 100);
  write('packages/p/package.json', JSON.stringify({ name: '@x/p' }), 100);
  write('packages/q/package.json', JSON.stringify({ name: '@x/q' }), 100);
  write('apps/a/src/main.ts', 'export {};', 1_000);
  write('apps/a/src/main.test.ts', 'export {};', 9_000); // tests are never built
  write('packages/p/src/index.ts', 'export {};', 1_000);
  write('packages/q/src/index.ts', 'export {};', 5_000);
  return { root, write };
}

describe('resolveAppRuntime', () => {
  it('runs the build when it is at least as new as the sources of the app and of what it depends on', () => {
    const { root, write } = repo();
    expect(resolveAppRuntime(root, 'apps/a/src/main.ts')).toEqual({
      kind: 'tsx',
      entry: 'apps/a/src/main.ts',
      why: 'no apps/a/dist/main.js (run npm run build)',
    });
    write('apps/a/dist/main.js', '', 2_000);
    write('packages/p/dist/index.js', '', 2_000);
    // packages/q has no build, and is newer: the app does not load it
    expect(resolveAppRuntime(root, 'apps/a/src/main.ts')).toEqual({ kind: 'dist', entry: 'apps/a/dist/main.js' });
  });

  it('falls back to the sources when a dependency changed after its build', () => {
    const { root, write } = repo();
    write('apps/a/dist/main.js', '', 2_000);
    write('packages/p/dist/index.js', '', 2_000);
    write('packages/p/src/index.ts', 'export const x = 1;', 3_000);
    expect(resolveAppRuntime(root, 'apps/a/src/main.ts')).toMatchObject({
      kind: 'tsx',
      why: 'packages/p/dist is older than its sources (run npm run build)',
    });
  });

  it('says so for an entry that is not an app source', () => {
    const { root } = repo();
    expect(resolveAppRuntime(root, 'scripts/x.ts')).toMatchObject({
      kind: 'tsx',
      why: expect.stringMatching(/not an app/),
    });
  });
});
