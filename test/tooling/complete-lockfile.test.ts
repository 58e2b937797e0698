import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@b24app/testing';
import { describe, expect, it } from 'vitest';

const script = join(REPO_ROOT, 'scripts/complete-lockfile.mjs');
const checkLock = (lock: unknown) => {
  const file = join(mkdtempSync(join(tmpdir(), 'lock-')), 'package-lock.json');
  writeFileSync(file, JSON.stringify(lock));
  return spawnSync(process.execPath, [script, '--check', `--lock=${file}`], { encoding: 'utf8' });
};

describe('lock file completeness (npm run check)', () => {
  it('every registry package in package-lock.json has an integrity hash, other platforms included', () => {
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { link?: boolean; integrity?: string; os?: string[] }>;
    };
    const unhashed = Object.entries(lock.packages).filter(
      ([path, e]) => path.includes('node_modules/') && !e.link && !e.integrity,
    );
    expect(unhashed.map(([p]) => p)).toEqual([]);
    // The other platforms' binaries carry their os, so npm ci skips them here without fetching.
    expect(lock.packages['node_modules/@biomejs/cli-darwin-arm64']?.os).toEqual(['darwin']);
    expect(checkLock(lock).status).toBe(0);
  });

  it('--check refuses a lock with an entry that has no integrity hash, and one that lacks an optional platform package', () => {
    const base = {
      lockfileVersion: 3,
      packages: {
        '': { name: 'x' },
        'node_modules/a': { version: '1.0.0', integrity: 'sha512-AAAA', optionalDependencies: { 'a-darwin': '1.0.0' } },
        'node_modules/a-darwin': { version: '1.0.0', integrity: 'sha512-BBBB', optional: true, os: ['darwin'] },
      },
    };
    expect(checkLock(base).status).toBe(0);

    const unhashed = structuredClone(base) as { packages: Record<string, Record<string, unknown>> };
    delete unhashed.packages['node_modules/a-darwin']!.integrity;
    const r = checkLock(unhashed);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/1 entries without an integrity hash \(a-darwin/);

    const missing = structuredClone(base) as { packages: Record<string, unknown> };
    delete missing.packages['node_modules/a-darwin'];
    expect(checkLock(missing).status).toBe(1);
  });
});
