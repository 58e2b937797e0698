import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallbackSender } from '../src/callback-sender.js';
import { verifyCallbackSignature } from '../src/callback-signature.js';

// A real receiver on loopback: what it got, and how it answers.
let answer: (res: http.ServerResponse) => void = (res) => res.end('ok');
const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    received.push({ headers: req.headers, body });
    answer(res);
  });
});
let base: string;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const local = createCallbackSender({ policy: { allowLoopback: true }, timeoutMs: 500 });
const delivery = (url: string) => ({ url, body: '{"type":"approval.decided"}', secret: 'k', eventId: 'ev-1' });

describe('callback sender (real HTTP)', () => {
  it('POSTs the signed body with the event id, and reports a 2xx as delivered', async () => {
    answer = (res) => res.writeHead(204).end();
    const got = await local(delivery(`${base}/hook`));
    expect(got).toMatchObject({ delivered: true, status: 204, error: null });
    const last = received.at(-1);
    expect(last?.body).toBe('{"type":"approval.decided"}');
    expect(last?.headers['x-approvals-event-id']).toBe('ev-1');
    expect(verifyCallbackSignature('k', last?.headers['x-approvals-signature'] as string, last?.body ?? '')).toBe(true);
  });

  it('does not follow a redirect, reports 5xx, and stops reading a huge answer', async () => {
    answer = (res) => res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
    expect(await local(delivery(`${base}/r`))).toMatchObject({ delivered: false, status: 302, error: 'redirect' });
    answer = (res) => res.writeHead(503).end('busy');
    expect(await local(delivery(`${base}/x`))).toMatchObject({ delivered: false, status: 503, error: 'http_503' });
    answer = (res) => {
      res.writeHead(500);
      const chunk = 'x'.repeat(64 * 1024);
      const pump = () => {
        while (res.write(chunk)) {}
        res.once('drain', pump);
      };
      pump();
      res.on('close', () => res.removeAllListeners('drain'));
    };
    expect(await local(delivery(`${base}/big`))).toMatchObject({ delivered: false, status: 500, error: 'http_500' });
  });

  it('times out a receiver that never answers', async () => {
    answer = () => {}; // hangs
    expect(await local(delivery(`${base}/slow`))).toMatchObject({ delivered: false, status: null, error: 'timeout' });
  });

  it('refuses loopback in production, and a name that now resolves to a private address (DNS rebinding)', async () => {
    const count = received.length;
    const prod = createCallbackSender({ policy: { allowLoopback: false } });
    expect(await prod(delivery(`${base}/x`))).toMatchObject({ delivered: false, error: 'refused_address' });
    const rebound = createCallbackSender({
      policy: { allowLoopback: false },
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    const port = new URL(base).port;
    expect(await rebound(delivery(`https://erp.example.com:${port}/x`))).toMatchObject({
      delivered: false,
      error: 'refused_address',
    });
    expect(received.length).toBe(count); // never called
  });
});
