// Issue 13: a create is recorded, then paced by the creation job. The server killed after its 202 and before the
// add still gets the activity created, once; `GET …?wait=` answers as soon as the activity exists, and the
// pending state at its deadline. No in-process worker or creator: each test starts what adds, when it wants.
import { type SpawnedApp, spawnApp } from '@b24app/testing';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/redis-server.js';
import { apiHeaders, type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';
import { startWorkerProcess } from '../support/worker-process.js';

let stack: Stack;
let p: InstalledPortal;
const running: SpawnedApp[] = [];

beforeAll(async () => {
  // 202 at once: the worker is not there yet.
  stack = await startStack({ isolatedDatabase: true, env: { APPROVAL_CREATE_WAIT_MS: '200' } });
  p = await stack.installedPortal();
}, 60_000);
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop('SIGKILL')));
  await stack.worker?.close();
  stack.worker = undefined;
});
afterAll(async () => {
  await stack?.close();
});

interface Details {
  id: string;
  activityId: number | null;
  creation: { state: string; error: string | null } | null;
}

const create = (base: string, title: string, key?: string) =>
  fetch(`${base}/api/v1/approvals`, {
    method: 'POST',
    headers: { ...apiHeaders, ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify({ memberId: p.memberId, ownerTypeId: 2, ownerId: p.dealId, title }),
  });
const read = async (id: string, wait?: string) => {
  const res = await fetch(`${stack.serverUrl}/api/v1/approvals/${id}${wait ? `?wait=${wait}` : ''}`, {
    headers: apiHeaders,
  });
  return { status: res.status, body: (await res.json()) as Details };
};
const cardsOf = async (approvalId: string) =>
  (await stack.emu.activities(p.memberId)).filter((a) => a.fields.originId === approvalId).map((a) => a.id);

/** Our server as a real OS process on the stack's database and Redis. */
async function serverProcess(): Promise<{ app: SpawnedApp; url: string }> {
  const port = await freePort();
  const app = spawnApp('apps/server/src/main.ts', {
    ...stack.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  });
  running.push(app);
  await app.waitFor(/server listening/, 60_000);
  return { app, url: `http://127.0.0.1:${port}` };
}

describe('the server killed after a 202, before the add (issue 13)', () => {
  it('SIGKILL after the 202: the worker started later creates the activity, once', async () => {
    const server = await serverProcess();
    const res = await create(server.url, 'Killed after 202', 'killed-after-202');
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await server.app.stop('SIGKILL');
    expect(await cardsOf(id)).toEqual([]); // nothing added yet: no worker ran

    running.push(await startWorkerProcess(stack));
    await waitFor(async () => (await read(id)).body.activityId !== null, 30_000, 100);
    const { body } = await read(id);
    expect(body.creation).toEqual({ state: 'done', error: null });
    expect(await cardsOf(id)).toEqual([body.activityId]);
    const adds = await stack.emu.calls({ memberId: p.memberId, method: 'crm.activity.configurable.add' });
    expect(adds.filter((c) => (c.params.fields as { originId?: string } | undefined)?.originId === id)).toHaveLength(1);
  }, 120_000);

  it('the job lost with it too (Redis failed over): the relay hands the recorded row to a job, created once', async () => {
    const server = await serverProcess();
    const res = await create(server.url, 'Killed, job lost');
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await server.app.stop('SIGKILL');
    const queue = new Queue('approval-creates', { connection: stack.redis, prefix: stack.env.QUEUE_PREFIX });
    try {
      await (await queue.getJob(`create-${id}`))?.remove();
      expect(await queue.getJob(`create-${id}`)).toBeUndefined();
    } finally {
      await queue.close();
    }

    running.push(await startWorkerProcess(stack));
    await waitFor(async () => (await read(id)).body.activityId !== null, 30_000, 100);
    expect(await cardsOf(id)).toEqual([(await read(id)).body.activityId]);
  }, 120_000);
});

describe('GET /api/v1/approvals/:id?wait= (long-poll)', () => {
  it('answers as soon as the activity exists', async () => {
    const res = await create(stack.serverUrl, 'Long-polled');
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const started = performance.now();
    const polled = read(id, '20s');
    // The poll waits (no worker yet: a plain read still shows no activity); then the worker comes and adds.
    expect((await read(id)).body.activityId).toBeNull();
    stack.startWorker();
    const { status, body } = await polled;
    expect(status).toBe(200);
    expect(body.activityId).toEqual(expect.any(Number));
    expect(body.creation).toEqual({ state: 'done', error: null });
    // It came back with the activity, before its 20 s deadline.
    expect(performance.now() - started).toBeLessThan(20_000);
    // Answers at once for an approval with its activity.
    expect((await read(id, '30s')).body.activityId).toBe(body.activityId);
  }, 60_000);

  it('answers the pending state at the deadline', async () => {
    const res = await create(stack.serverUrl, 'Still pending');
    const { id } = (await res.json()) as { id: string };
    for (const wait of ['500ms', '1s', '1']) {
      const { status, body } = await read(id, wait);
      expect({ status, activityId: body.activityId, creation: body.creation }).toEqual({
        status: 200,
        activityId: null,
        creation: { state: 'pending', error: null },
      });
    }
  }, 30_000);

  it('a wait that is not a duration, or longer than 30 s, is a 400 naming it', async () => {
    const res = await create(stack.serverUrl, 'Bad waits');
    const { id } = (await res.json()) as { id: string };
    for (const wait of ['1h', '31s', '-1', 'soon', '30001ms']) {
      const r = await fetch(`${stack.serverUrl}/api/v1/approvals/${id}?wait=${wait}`, { headers: apiHeaders });
      const body = (await r.json()) as { error: { code: string; details: { path: string }[] } };
      expect({ wait, status: r.status, code: body.error.code, path: body.error.details[0]?.path }).toEqual({
        wait,
        status: 400,
        code: 'VALIDATION_FAILED',
        path: 'wait',
      });
    }
  });
});
