import { timelineActionJob } from '@b24app/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('Bull Board behind the operator key (issue 14)', () => {
  it('refuses without the operator key, and asks the browser for it', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const res = await fetch(`${stack.serverUrl}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    }
    const wrong = await fetch(`${stack.serverUrl}/admin/queues`, {
      headers: { authorization: basic('ops', 'not-the-api-token-000') },
    });
    expect(wrong.status).toBe(401);
  });

  it('shows the click queue to an operator (Basic with API_TOKEN as password, or Bearer)', async () => {
    const page = await fetch(`${stack.serverUrl}/admin/queues`, {
      headers: { authorization: basic('ops', 'test-api-token-0123456789') },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const api = await fetch(`${stack.serverUrl}/admin/queues/api/queues`, {
      headers: { authorization: 'Bearer test-api-token-0123456789' },
    });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name)).toContain(timelineActionJob.queue);
  });
});
