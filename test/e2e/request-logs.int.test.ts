import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHeaders } from '../support/stack.js';
import { createApproval, settled } from '../support/approvals.js';
import { type InstalledPortal, type Stack, startStack, waitFor } from '../support/stack.js';

let stack: Stack;
let p: InstalledPortal;
beforeAll(async () => {
  stack = await startStack({ worker: true, logLevel: 'info' });
  p = await stack.installedPortal();
});
afterAll(async () => {
  await stack?.close();
});

type Line = Record<string, unknown> & {
  msg?: string;
  req?: { id?: string; method?: string; path?: string };
  res?: { statusCode?: number };
};
const lines = (): Line[] =>
  stack.logs.lines.flatMap((l) => l.split('\n').filter(Boolean)).map((l) => JSON.parse(l) as Line);

describe('logs: one JSON line per request and per job, one click followed end to end (issue 14)', () => {
  it('the intake line and the job line share the event id; the request id comes back in X-Request-Id', async () => {
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve' });
    await settled(stack, p.memberId, a.activityId, 1);
    const click = await stack.db.timelineEvent.findFirstOrThrow({ where: { activityId: a.activityId } });

    const intake = lines().filter((l) => l.req?.path === '/b24/events' && l.eventId === click.id);
    expect(intake).toHaveLength(1);
    expect(intake[0]).toMatchObject({ memberId: p.memberId, res: { statusCode: 200 }, req: { method: 'POST' } });
    expect(intake[0]?.req?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof intake[0]?.responseTime).toBe('number');

    await waitFor(() => lines().some((l) => l.msg === 'job finished' && l.jobId === click.id));
    const job = lines().find((l) => l.msg === 'job finished' && l.jobId === click.id);
    expect(job).toMatchObject({ eventId: click.id, memberId: p.memberId, outcome: 'completed', attempt: 1 });

    const res = await fetch(`${stack.serverUrl}/api/v1/approvals/${a.id}`, {
      headers: { ...apiHeaders, 'x-request-id': 'trace-4711' },
    });
    expect(res.headers.get('x-request-id')).toBe('trace-4711');
    await waitFor(() => lines().some((l) => l.req?.id === 'trace-4711'));
    const odd = await fetch(`${stack.serverUrl}/api/v1/approvals/${a.id}`, {
      headers: { ...apiHeaders, 'x-request-id': 'not a token\u00e9' },
    });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('no token, key or query string reaches a log line', async () => {
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'reject' });
    await settled(stack, p.memberId, a.activityId, 1);
    const [delivery] = (await stack.emu.deliveries({ memberId: p.memberId, event: 'ONCRMTIMELINEITEMACTION' })).filter(
      (d) => (d.fields as { data: { activityId: string } }).data.activityId === String(a.activityId),
    );
    const accessToken = (delivery!.fields as { auth: { access_token: string } }).auth.access_token;
    // A caller that puts a secret in the query string, and one whose event is forged.
    await fetch(`${stack.serverUrl}/b24/events?access_token=query-secret-0123456789`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: 'Bearer header-secret-0123456789',
      },
      body: delivery!.body.replace(/(auth%5Bapplication_token%5D=)[^&]+/, '$1forged-secret-0123456789'),
    });
    await waitFor(() => lines().some((l) => l.req?.path === '/b24/events' && l.res?.statusCode === 401));

    const text = stack.logs.text();
    for (const secret of [
      p.applicationToken,
      accessToken,
      'query-secret-0123456789',
      'header-secret-0123456789',
      'forged-secret-0123456789',
      'test-api-token-0123456789', // the API's bearer token, sent with every API call above
      stack.clientSecret,
    ]) {
      expect(text, secret).not.toContain(secret);
    }
    expect(lines().filter((l) => l.req?.path === '/b24/events').length).toBeGreaterThanOrEqual(3);
  });
});
