// `npm run lint:deps` (part of `npm run check`) must fail when a workspace package imports another it does not
// declare, or declares one it does not import. Proven here on a small fixture workspace, with the repo's own
// knip configuration and the same two commands.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const knip = join(repo, 'node_modules/knip/bin/knip.js');
const run = promisify(execFile);

interface Pkg {
  dir: string;
  name: string;
  dependencies?: Record<string, string>;
  source: string;
}

/** A workspace like ours: private packages exporting src/index.ts, resolved through node_modules links. */
function fixture(packages: Pkg[]): string {
  const root = mkdtempSync(join(tmpdir(), 'knip-fixture-'));
  const json = (path: string, value: unknown) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  json(join(root, 'package.json'), { name: 'fixture', private: true, type: 'module', workspaces: ['packages/*'] });
  cpSync(join(repo, 'knip.jsonc'), join(root, 'knip.jsonc'));
  mkdirSync(join(root, 'node_modules/@b24app'), { recursive: true });
  for (const p of packages) {
    const dir = join(root, p.dir);
    mkdirSync(join(dir, 'src'), { recursive: true });
    json(join(dir, 'package.json'), {
      name: p.name,
      version: '0.1.0',
      private: true,
      type: 'module',
      exports: { '.': './src/index.ts' },
      dependencies: p.dependencies ?? {},
    });
    writeFileSync(join(dir, 'src/index.ts'), p.source);
    symlinkSync(dir, join(root, 'node_modules', p.name), 'dir');
  }
  return root;
}

/** Both passes of `npm run lint:deps`, as the script runs them; the first failure stops it. */
async function lintDeps(cwd: string): Promise<{ code: number; output: string }> {
  for (const args of [[], ['--strict']]) {
    try {
      await run(process.execPath, [knip, '--no-progress', '--no-config-hints', ...args], { cwd });
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: err.code ?? 1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
    }
  }
  return { code: 0, output: '' };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const core: Pkg = { dir: 'packages/core', name: '@b24app/core', source: 'export const one = 1;\n' };
const layout: Pkg = { dir: 'packages/layout', name: '@b24app/layout', source: 'export const two = 2;\n' };

describe('lint:deps (knip) on workspace manifests', () => {
  it('passes when every package declares exactly the workspace packages it imports', async () => {
    const root = fixture([
      core,
      layout,
      {
        dir: 'packages/app',
        name: '@b24app/app',
        dependencies: { '@b24app/core': '*' },
        source: "import { one } from '@b24app/core';\nexport const three = one + 2;\n",
      },
    ]);
    dirs.push(root);
    expect(await lintDeps(root)).toEqual({ code: 0, output: '' });
  }, 120_000);

  it('fails on a workspace import the package does not declare (the server and @b24app/approvals)', async () => {
    const root = fixture([
      core,
      {
        dir: 'packages/app',
        name: '@b24app/app',
        source: "import { one } from '@b24app/core';\nexport const three = one + 2;\n",
      },
    ]);
    dirs.push(root);
    const { code, output } = await lintDeps(root);
    expect(code).not.toBe(0);
    expect(output).toMatch(/Unlisted dependencies[\s\S]*@b24app\/core\s+packages\/app\/src\/index\.ts/);
  }, 120_000);

  it('fails on a declared workspace package the package never imports (the server and @b24app/layout)', async () => {
    const root = fixture([
      core,
      layout,
      {
        dir: 'packages/app',
        name: '@b24app/app',
        dependencies: { '@b24app/core': '*', '@b24app/layout': '*' },
        source: "import { one } from '@b24app/core';\nexport const three = one + 2;\n",
      },
    ]);
    dirs.push(root);
    const { code, output } = await lintDeps(root);
    expect(code).not.toBe(0);
    expect(output).toMatch(/Unused dependencies[\s\S]*@b24app\/layout\s+packages\/app\/package\.json/);
    expect(output).not.toContain('@b24app/core');
  }, 120_000);
});
