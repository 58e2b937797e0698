import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyCallbackSignature } from '@b24app/callbacks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey, keyHeaders } from '../support/api-keys.js';
import { apiHeaders, type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

// Issue 13, decision callbacks: a signed POST of the decided approval to its callbackUrl, from the outbox, retried
// with backoff until the receiver answers 2xx; a private target is refused at create and never called.
const OPERATOR_SECRET = 'operator-signing-secret-0123456789abcdef';

let stack: Stack;
let p: InstalledPortal;
beforeAll(async () => {
  stack = await startStack({ env: { API_SIGNING_SECRET: OPERATOR_SECRET } });
  // Fast retries for the test only: the first wait is 50 ms instead of 10 s (then doubling, with jitter).
  stack.startWorker({ CALLBACK_BACKOFF_MS: '50', CALLBACK_TIMEOUT_MS: '2000' });
  p = await stack.installedPortal();
});
afterAll(async () => {
  await stack?.close();
});

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local integration's endpoint: records every POST and answers the scripted statuses (then 200). */
async function receiver(statuses: number[] = [], port = 0) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = statuses[received.length - 1] ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/approvals`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const post = (body: unknown, headers: Record<string, string> = apiHeaders) =>
  fetch(`${stack.serverUrl}/api/v1/approvals`, { method: 'POST', headers, body: JSON.stringify(body) });

async function created(body: Record<string, unknown>, headers: Record<string, string> = apiHeaders) {
  const res = await post({ ownerTypeId: 2, ownerId: p.dealId, title: 'Discount for ACME', ...body }, headers);
  const json = (await res.json()) as { id: string; activityId: number };
  expect(res.status).toBe(201);
  return json;
}

const details = async (id: string, headers: Record<string, string> = apiHeaders) =>
  (await (await fetch(`${stack.serverUrl}/api/v1/approvals/${id}`, { headers })).json()) as {
    state: string;
    callbackUrl: string | null;
    deliveries: { kind: string; state: string; attempts: number; outcome: string | null; lastError: string | null }[];
  };

const callbackOf = async (id: string) => (await details(id)).deliveries.find((d) => d.kind === 'callback');

describe('decision callbacks', () => {
  it('a receiver failing the first three deliveries gets the fourth: signed with the key’s secret, one event id', async () => {
    const key = await issueApiKey(stack, p, 'ERP with callbacks');
    const erp = await receiver([503, 500, 429]);
    const a = await created({ callbackUrl: erp.url }, keyHeaders(key.apiKey));
    expect((await details(a.id, keyHeaders(key.apiKey))).callbackUrl).toBe(erp.url);
    expect(await callbackOf(a.id)).toBeUndefined(); // nothing is owed before the decision

    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve' });
    await waitFor(async () => (await callbackOf(a.id))?.state === 'done', 20_000);
    expect(await callbackOf(a.id)).toMatchObject({ state: 'done', attempts: 4, outcome: 'sent', lastError: null });
    expect(erp.received).toHaveLength(4);

    const eventIds = new Set(erp.received.map((r) => r.headers['x-approvals-event-id']));
    expect(eventIds.size).toBe(1);
    const [eventId] = [...eventIds];
    for (const r of erp.received) {
      expect(verifyCallbackSignature(key.signingSecret, r.headers['x-approvals-signature'] as string, r.body)).toBe(
        true,
      );
      expect(verifyCallbackSignature(OPERATOR_SECRET, r.headers['x-approvals-signature'] as string, r.body)).toBe(
        false,
      );
    }
    const last = JSON.parse(erp.received[3]!.body) as { id: string; type: string; approval: Record<string, unknown> };
    expect(last).toMatchObject({ id: eventId, type: 'approval.decided' });
    // the approval as GET shows it (the callback's own delivery was still pending when it was built)
    const now = await details(a.id);
    expect(last.approval).toMatchObject({
      id: a.id,
      state: 'approved',
      activityId: a.activityId,
      callbackUrl: erp.url,
    });
    expect(Object.keys(last.approval).sort()).toEqual(Object.keys(now).sort());

    // One delivery per decision: the outbox has one callback row for it.
    expect(await stack.db.approvalDelivery.count({ where: { approvalId: a.id, kind: 'callback' } })).toBe(1);
    await erp.close();
  });

  it('a receiver that is down gets the callback when it comes back; API_TOKEN approvals sign with API_SIGNING_SECRET', async () => {
    // A port nobody listens on yet: the integration's endpoint is down.
    const probe = await receiver();
    const url = probe.url;
    const port = Number(new URL(url).port);
    await probe.close();
    const a = await created({ memberId: p.memberId, callbackUrl: url });
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'reject' });
    await waitFor(async () => ((await callbackOf(a.id))?.attempts ?? 0) >= 3, 20_000);
    expect(await callbackOf(a.id)).toMatchObject({ state: 'pending', lastError: 'network' });

    const back = await receiver([], port);
    await waitFor(async () => (await callbackOf(a.id))?.state === 'done', 30_000);
    expect(back.received).toHaveLength(1);
    const r = back.received[0]!;
    expect(verifyCallbackSignature(OPERATOR_SECRET, r.headers['x-approvals-signature'] as string, r.body)).toBe(true);
    expect(JSON.parse(r.body)).toMatchObject({ type: 'approval.decided', approval: { id: a.id, state: 'rejected' } });
    await back.close();
  });

  it.each([
    'https://10.0.0.1/x',
    'https://169.254.169.254/latest/meta-data/',
    'https://[fd00::1]/x',
    'http://192.168.1.10/x',
    'ftp://example.com/x',
  ])('a callbackUrl %s is refused at create: 422, nothing recorded, nothing asked of the portal', async (url) => {
    const before = await stack.db.approval.count();
    const adds = (await stack.emu.calls({ memberId: p.memberId, method: 'crm.activity.configurable.add' })).length;
    const res = await post({ memberId: p.memberId, ownerTypeId: 2, ownerId: p.dealId, title: 'x', callbackUrl: url });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('CALLBACK_URL_REFUSED');
    expect(await stack.db.approval.count()).toBe(before);
    expect(await stack.emu.calls({ memberId: p.memberId, method: 'crm.activity.configurable.add' })).toHaveLength(adds);
  });

  it('a target that turned private after the create (DNS rebinding) is refused at delivery, never called', async () => {
    const erp = await receiver();
    const a = await created({ memberId: p.memberId, callbackUrl: erp.url });
    // What a rebinding host does between create and delivery, played on the stored row.
    await stack.db.approval.update({ where: { id: a.id }, data: { callbackUrl: 'https://10.0.0.1/hooks' } });
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve' });
    await waitFor(async () => ((await callbackOf(a.id))?.attempts ?? 0) >= 2, 20_000);
    expect(await callbackOf(a.id)).toMatchObject({ state: 'pending', lastError: 'refused_address' });
    expect(erp.received).toEqual([]);
    const metrics = await stack.metrics.worker.getSingleMetricAsString('b24app_callback_attempts_total');
    expect(metrics).toMatch(/b24app_callback_attempts_total\{result="refused_address"\} [1-9]/);
    expect(metrics).toMatch(/b24app_callback_attempts_total\{result="delivered"\} [1-9]/);
    await erp.close();
  });
});
