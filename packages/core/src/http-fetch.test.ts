import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpFetch } from './http-fetch.js';

interface Seen {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A real HTTP server on 127.0.0.1 that records each request and answers with `answer`. */
async function serve(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      answer(req, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { seen, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

describe('httpFetch', () => {
  it('posts a JSON body and gives back status, headers and the parsed answer', async () => {
    const s = await serve((_req, res) => json(res, 201, { result: true }, { 'x-thing': 'a' }));
    const res = await httpFetch(new URL('/rest/user.admin', s.base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: 'tok' }),
    });
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(res.headers.get('x-thing')).toBe('a');
    expect(await res.json()).toEqual({ result: true });
    expect(s.seen[0]).toMatchObject({ method: 'POST', url: '/rest/user.admin', body: '{"auth":"tok"}' });
    expect(s.seen[0]?.headers['content-type']).toBe('application/json');
    expect(s.seen[0]?.headers['content-length']).toBe('14');
  });

  it('sends URLSearchParams as a form, and an error status is an answer, not a rejection', async () => {
    const s = await serve((_req, res) => json(res, 401, { error: 'expired_token' }));
    const res = await httpFetch(`${s.base}/rest/app.info`, {
      method: 'POST',
      body: new URLSearchParams({ auth: 'a b&c' }),
    });
    expect(res.status).toBe(401);
    expect(res.ok).toBe(false);
    expect(await res.json()).toEqual({ error: 'expired_token' });
    expect(s.seen[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(s.seen[0]?.body).toBe('auth=a+b%26c');
  });

  it('never follows a redirect: it rejects, or with redirect manual returns the 3xx', async () => {
    const target = await serve((_req, res) => json(res, 200, { stolen: true }));
    const s = await serve((_req, res) => res.writeHead(307, { location: `${target.base}/steal` }).end());
    await expect(httpFetch(`${s.base}/x`, { method: 'POST', body: 'auth=t', redirect: 'error' })).rejects.toThrow(
      /redirect \(307\) refused/,
    );
    const manual = await httpFetch(`${s.base}/x`, { redirect: 'manual' });
    expect(manual.status).toBe(307);
    expect(target.seen).toHaveLength(0);
  });

  it('rejects with the signal reason when the answer does not come in time', async () => {
    const s = await serve(() => {}); // never answers
    const err = await httpFetch(`${s.base}/slow`, { signal: AbortSignal.timeout(50) }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    const already = new AbortController();
    already.abort(new Error('stop'));
    await expect(httpFetch(`${s.base}/slow`, { signal: already.signal })).rejects.toThrow('stop');
  });

  it('answers 204 with an empty body, and an unreachable host with a TypeError', async () => {
    const s = await serve((_req, res) => res.writeHead(204).end());
    const res = await httpFetch(`${s.base}/none`, { method: 'POST' });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');

    const gone = await serve(() => {});
    const port = new URL(gone.base).port;
    await new Promise((r) => servers.pop()?.close(r));
    const err = await httpFetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toBe('fetch failed');
  });

  it('keeps nothing for a host once its connections are closed (one host per portal)', async () => {
    const hosts = await Promise.all([1, 2, 3].map(() => serve((_req, res) => json(res, 200, { result: 1 }))));
    for (const h of hosts) expect((await httpFetch(`${h.base}/p`)).status).toBe(200);
    const keys = () =>
      [...Object.keys(http.globalAgent.freeSockets), ...Object.keys(http.globalAgent.sockets)].filter((k) =>
        hosts.some((h) => k.includes(new URL(h.base).port)),
      );
    expect(keys()).toHaveLength(3); // kept alive in node's agent, one entry per host…
    for (const s of servers) s.closeAllConnections();
    // …and gone with the last socket of each
    const deadline = Date.now() + 5_000;
    while (keys().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(keys()).toEqual([]);
  });
});
