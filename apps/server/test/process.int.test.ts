import { afterEach, describe, expect, it } from 'vitest';
import { type SpawnedApp, spawnApp, TEST_DATABASE_URL, TEST_ENCRYPTION_KEY, TEST_REDIS_URL } from '@b24app/testing';

const baseEnv = {
  DATABASE_URL: TEST_DATABASE_URL,
  REDIS_URL: TEST_REDIS_URL,
  APP_URL: 'http://127.0.0.1:3999',
  B24_CLIENT_ID: 'local.test',
  B24_CLIENT_SECRET: 'secret',
  TOKEN_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
  API_TOKEN: 'test-api-token-0123456789',
  LOG_LEVEL: 'info',
};

const METRICS_TOKEN = 'operator-metrics-token-0123456789';
const operatorHeaders = { authorization: `Bearer ${METRICS_TOKEN}` };

const running: SpawnedApp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop('SIGKILL')));
});

const freePort = () => 20_000 + Math.floor(Math.random() * 20_000);

describe('server and worker processes', () => {
  it('server: a missing and a malformed variable exit non-zero with one message naming both', async () => {
    const app = spawnApp('apps/server/src/main.ts', { ...baseEnv, DATABASE_URL: undefined, PORT: 'eighty' });
    running.push(app);
    const code = await app.exited;
    expect(code).not.toBe(0);
    const out = app.output();
    expect(out).toContain('DATABASE_URL is missing');
    expect(out).toMatch(/PORT is invalid/);
    expect(out.match(/Invalid configuration/g)).toHaveLength(1);
    expect(out).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
  });

  it('worker: a malformed variable exits non-zero naming it', async () => {
    const app = spawnApp('apps/worker/src/main.ts', { ...baseEnv, REDIS_URL: 'not a url' });
    running.push(app);
    expect(await app.exited).not.toBe(0);
    expect(app.output()).toMatch(/REDIS_URL is invalid/);
  });

  it('server: answers /healthz and /readyz, then drains and exits 0 on SIGTERM', async () => {
    const port = freePort();
    const app = spawnApp('apps/server/src/main.ts', { ...baseEnv, PORT: String(port), HOST: '127.0.0.1' });
    running.push(app);
    await app.waitFor(/server listening/);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(await metrics.text()).toContain('process_cpu_seconds_total');
    expect(await app.stop('SIGTERM')).toBe(0);
    expect(app.output()).toMatch(/shutting down/);
  });

  it('server: /readyz says 503, names the dependency by a stable code to the operator only, never the driver text', async () => {
    const port = freePort();
    const app = spawnApp('apps/server/src/main.ts', {
      ...baseEnv,
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: 'redis://127.0.0.1:1/0',
      METRICS_TOKEN,
    });
    running.push(app);
    await app.waitFor(/server listening/);
    const anonymous = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(anonymous.status).toBe(503);
    expect(await anonymous.json()).toEqual({ status: 'not ready' });
    const operator = await fetch(`http://127.0.0.1:${port}/readyz`, { headers: operatorHeaders });
    expect(operator.status).toBe(503);
    const text = await operator.text();
    const body = JSON.parse(text) as { checks: Record<string, string> };
    expect(body.checks.database).toBe('ok');
    expect(['unavailable', 'timeout']).toContain(body.checks.redis);
    expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect|Connection/i);
    // The reason is in the log, for the operator.
    await app.waitFor(/"msg":"not ready"/);
  });

  it('server and worker: /metrics refuses a scrape without the operator token where one is configured; /healthz stays open', async () => {
    const serverPort = freePort();
    const workerPort = freePort();
    const server = spawnApp('apps/server/src/main.ts', {
      ...baseEnv,
      PORT: String(serverPort),
      HOST: '127.0.0.1',
      METRICS_TOKEN,
    });
    const worker = spawnApp('apps/worker/src/main.ts', {
      ...baseEnv,
      WORKER_HEALTH_PORT: String(workerPort),
      METRICS_TOKEN,
    });
    running.push(server, worker);
    await Promise.all([server.waitFor(/server listening/), worker.waitFor(/worker started/)]);
    for (const port of [serverPort, workerPort]) {
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const refused = await fetch(`${base}/metrics`);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
      expect(
        (await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status,
      ).toBe(401);
      const scraped = await fetch(`${base}/metrics`, { headers: operatorHeaders });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('process_cpu_seconds_total');
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
      expect(await (await fetch(`${base}/readyz`, { headers: operatorHeaders })).json()).toEqual({
        status: 'ready',
        checks: { database: 'ok', redis: 'ok' },
      });
    }
  });

  it('worker: answers its probes and closes on SIGTERM', async () => {
    const port = freePort();
    const app = spawnApp('apps/worker/src/main.ts', { ...baseEnv, WORKER_HEALTH_PORT: String(port) });
    running.push(app);
    await app.waitFor(/worker started/);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('b24app_click_to_update_seconds');
    expect(metrics).toContain('b24app_clicks_finished_total');
    expect(await app.stop('SIGTERM')).toBe(0);
  });
});
