// Emulator REST throughput and click-to-event latency, with a same-run baseline: a bare node:http server that
// answers a fixed JSON envelope (what any HTTP round trip costs here). Same client, concurrency, machine, run.
// Run alone: node --conditions=development --import tsx bench/emulator.bench.ts
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { startEmulator } from '@b24app/emulator';
import { drive, summarize } from './bench-stats.js';
import { formatTable, type Metric } from './results.js';

const N = Number(process.env.BENCH_EMULATOR_N ?? 3_000);
const CONCURRENCY = Number(process.env.BENCH_EMULATOR_CONCURRENCY ?? 16);
const CLICKS = Number(process.env.BENCH_EMULATOR_CLICKS ?? 200);

const layout = {
  icon: { code: 'info' },
  header: { title: 'Bench' },
  body: { logo: { code: 'notification' }, blocks: { t: { type: 'text', properties: { value: 'x' } } } },
  footer: { buttons: { go: { title: 'Go', type: 'primary', action: { type: 'restEvent', id: 'go' } } } },
};

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`HTTP ${res.status} from ${url}`);
  await res.arrayBuffer();
}

export async function run(): Promise<Metric[]> {
  const emu = await startEmulator({ port: 0, logger: false });
  let arrived: (() => void) | null = null;
  const app = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.end('ok');
      arrived?.();
    });
  });
  const fixed = JSON.stringify({
    result: { ID: '1' },
    time: { start: 0, finish: 0, operating: 0, operating_reset_at: 0 },
  });
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(fixed));
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/rest/profile`;
  try {
    const portal = await emu.client.createPortal({ limits: { burst: 1_000_000, drainPerSec: 1_000_000 } });
    const reg = await emu.client.registerApp({ installUrl: `${appUrl}/install`, withUi: false });
    await emu.client.installApp(portal.memberId, reg.clientId);
    const { access_token: auth } = await emu.client.issueTokens(portal.memberId, reg.clientId);
    const rest = `${portal.clientEndpoint}profile`;

    const measure = async (url: string) => {
      const { latencies, wallMs } = await drive(N, CONCURRENCY, () => post(url, { auth }));
      return summarize(latencies, wallMs);
    };
    // alternate twice (the first round warms up both), report the second round
    await measure(bareUrl);
    await measure(rest);
    const base = await measure(bareUrl);
    const emuRest = await measure(rest);

    // click -> ONCRMTIMELINEITEMACTION POST arriving at the app
    const deal = await emu.client.createCrmItem(portal.memberId, { entityTypeId: 2, title: 'Bench' });
    await post(`${portal.clientEndpoint}event.bind`, {
      auth,
      event: 'ONCRMTIMELINEITEMACTION',
      handler: `${appUrl}/events`,
    });
    const res = await fetch(`${portal.clientEndpoint}crm.activity.configurable.add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth, ownerTypeId: 2, ownerId: deal.id, fields: {}, layout }),
    });
    const activityId = ((await res.json()) as { result: { activity: { id: number } } }).result.activity.id;
    const clickMs: number[] = [];
    for (let i = 0; i < CLICKS; i++) {
      const t0 = performance.now();
      const got = new Promise<void>((r) => {
        arrived = r;
      });
      await Promise.all([emu.client.click(portal.memberId, { activityId, actionId: 'go' }), got]);
      clickMs.push(performance.now() - t0);
    }
    const clicks = summarize(
      clickMs,
      clickMs.reduce((a, b) => a + b, 0),
    );

    return [
      {
        name: 'emulator.rest_rps',
        value: emuRest.perSec,
        unit: 'req/s',
        baseline: base.perSec,
        note: `REST profile, concurrency ${CONCURRENCY}; baseline = bare node:http JSON; p99 ${emuRest.p99.toFixed(2)} ms`,
      },
      {
        name: 'emulator.click_to_event_p50_ms',
        value: clicks.p50,
        unit: 'ms',
        note: `p99 ${clicks.p99.toFixed(2)} ms over ${CLICKS} clicks`,
      },
    ];
  } finally {
    await emu.close();
    app.close();
    bare.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatTable(await run()));
}
