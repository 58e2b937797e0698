// The app page's weight and time to interactive. Weight: the JS and CSS the first load ships (the entry and
// its static imports), gzipped, next to everything the views load later; from the build's manifest
// (npm run build first). Time to interactive: Debian's Chromium opens the app page inside the emulated portal
// (frame POST → user verified with Bitrix24 → page → SDK frame client → first view's data shown), fresh
// browser context each run; baseline in the same run: the emulator's own portal page with no app in it.
// Run alone: node --conditions=development --import tsx bench/app-page.bench.ts
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { createApproval } from '../test/support/approvals.js';
import { startStack } from '../test/support/stack.js';
import { percentile } from './bench-stats.js';
import { formatTable, type Metric } from './results.js';

const DIST = fileURLToPath(new URL('../apps/app-page/dist/', import.meta.url));
const RUNS = Number(process.env.BENCH_APP_PAGE_RUNS ?? 7);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'];

interface ManifestChunk {
  file: string;
  css?: string[];
  imports?: string[];
  dynamicImports?: string[];
  isEntry?: boolean;
}

const gz = (file: string) => gzipSync(readFileSync(`${DIST}${file}`)).length;
const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

export function pageWeight(): Metric[] {
  const manifest = JSON.parse(readFileSync(`${DIST}.vite/manifest.json`, 'utf8')) as Record<string, ManifestChunk>;
  const entryKey = Object.keys(manifest).find((k) => manifest[k]?.isEntry);
  if (!entryKey) throw new Error('no entry in the app page manifest: run npm run build');
  const first = new Set<string>();
  const css = new Set<string>();
  const walk = (key: string) => {
    const c = manifest[key];
    if (!c || first.has(c.file)) return;
    first.add(c.file);
    for (const f of c.css ?? []) css.add(f);
    for (const i of c.imports ?? []) walk(i);
  };
  walk(entryKey);
  const allJs = new Set(
    Object.values(manifest)
      .map((c) => c.file)
      .filter((f) => f.endsWith('.js')),
  );
  const sum = (files: Iterable<string>) => [...files].reduce((n, f) => n + gz(f), 0);
  const firstJs = sum(first);
  const firstCss = sum(css);
  const later = sum([...allJs].filter((f) => !first.has(f)));
  return [
    {
      name: 'app_page.js_css_gzip_kb',
      value: kib(firstJs + firstCss),
      unit: 'KiB',
      note: `first load, gzip: JS ${kib(firstJs)} KiB in ${first.size} file(s) + CSS ${kib(firstCss)} KiB`,
    },
    { name: 'app_page.on_demand_gzip_kb', value: kib(later), unit: 'KiB', note: 'views and SDK frame client, gzip' },
  ];
}

export async function run(): Promise<Metric[]> {
  const lines = pageWeight();
  const stack = await startStack({ logLevel: 'warn', creator: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  try {
    const p = await stack.installedPortal();
    for (let i = 0; i < 5; i++)
      await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId, title: `A${i}` });
    const origin = `http://${p.domain}`;
    const appUrl = `${origin}/ui/portals/${p.memberId}/apps/${encodeURIComponent(stack.clientId)}?user=${p.adminUserId}`;
    const portalUrl = `${origin}/ui/portals/${p.memberId}?user=${p.adminUserId}`;

    const time = async (url: string, ready: (page: import('playwright-core').Page) => Promise<unknown>) => {
      const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      const page = await ctx.newPage();
      const t0 = performance.now();
      await page.goto(url);
      await ready(page);
      const ms = performance.now() - t0;
      await ctx.close();
      return ms;
    };
    const appReady = (page: import('playwright-core').Page) =>
      page.frameLocator('iframe.app-frame').locator('[data-testid="approvals-table"]').waitFor();
    const portalReady = (page: import('playwright-core').Page) => page.locator('main').waitFor();

    await time(appUrl, appReady); // warm-up: server JIT, Chromium start
    const app: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      base.push(await time(portalUrl, portalReady));
      app.push(await time(appUrl, appReady));
    }
    app.sort((a, b) => a - b);
    base.sort((a, b) => a - b);
    lines.push({
      name: 'app_page.interactive_ms',
      value: Math.round(percentile(app, 50)),
      unit: 'ms',
      baseline: Math.round(percentile(base, 50)),
      note: `p50 of ${RUNS} cold loads in the portal iframe (max ${Math.round(app[app.length - 1] ?? 0)} ms); baseline: the emulator's portal page alone`,
    });
    return lines;
  } finally {
    await browser.close();
    await stack.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatTable(await run()));
  process.exit(0);
}
