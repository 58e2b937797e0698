import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApproval, getApproval, settled } from '../support/approvals.js';
import { fuzzRequests } from '../support/event-fuzz.js';
import { pool, type RawOutcome, rawPost } from '../support/raw-http.js';
import { type InstalledPortal, type Stack, startStack } from '../support/stack.js';

// Issue 6: "malformed bodies (a fuzz test of at least 10,000 generated bodies: bad encodings, deep brackets,
// __proto__, oversize) → 4xx, never 5xx, the process stays up." The server runs in this process, so a
// polluted prototype or a crash would show here.

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_121);
const POLLUTED = ['polluted', 'isAdmin'];

let stack: Stack;
let p: InstalledPortal;
beforeAll(async () => {
  // Own database: "nothing recorded" is counted over the whole table.
  stack = await startStack({ worker: true, isolatedDatabase: true, logLevel: 'info' });
  p = await stack.installedPortal();
});
afterAll(async () => {
  await stack?.close();
});

describe('POST /b24/events under fuzzing (issue 6)', () => {
  it(`≥ 10,000 hostile bodies are all refused with a 4xx, nothing is recorded, nothing is polluted (seed ${SEED})`, async () => {
    const portal = await stack.emu.portal(p.memberId);
    const requests = fuzzRequests(
      { memberId: p.memberId, applicationToken: p.applicationToken, domain: portal.domain },
      SEED,
    );
    expect(requests.length).toBeGreaterThanOrEqual(10_000);
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    const rowsBefore = await stack.db.timelineEvent.count();

    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const url = `${stack.serverUrl}/b24/events`;
    const t0 = Date.now();
    const outcomes: RawOutcome[] = await pool(requests, 16, (r) => rawPost(url, agent, r));
    const ms = Date.now() - t0;
    agent.destroy();

    const byKind = new Map<string, Map<string, number>>();
    const offenders: string[] = [];
    outcomes.forEach((o, i) => {
      const r = requests[i]!;
      const label = o.status === 0 ? `error:${(o as { error: string }).error}` : String(o.status);
      const m = byKind.get(r.kind) ?? new Map<string, number>();
      m.set(label, (m.get(label) ?? 0) + 1);
      byKind.set(r.kind, m);
      const ok = o.status >= 400 && o.status < 500;
      if (!ok && offenders.length < 10) {
        offenders.push(
          `${r.kind} → ${label} ${'body' in o ? o.body.slice(0, 160) : ''} | ${JSON.stringify(r.headers)} ${r.body.subarray(0, 200).toString('latin1')}`,
        );
      }
    });
    const table = [...byKind].map(([k, m]) => `${k}: ${[...m].map(([s, n]) => `${s}×${n}`).join(' ')}`).join('\n  ');
    console.info(
      `[fuzz] ${requests.length} bodies in ${ms} ms (${Math.round((requests.length / ms) * 1000)}/s)\n  ${table}`,
    );

    // Every answer is a 4xx: never a 5xx, never a 2xx, never a dropped connection.
    expect(offenders).toEqual([]);
    // Nothing was recorded, nothing polluted, no request was logged as a server failure.
    expect(await stack.db.timelineEvent.count()).toBe(rowsBefore);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
    for (const key of POLLUTED) expect(({} as Record<string, unknown>)[key], key).toBeUndefined();
    expect(stack.logs.text()).not.toContain('request failed');
  }, 120_000);

  it('the server keeps answering: health, and a genuine click end to end', async () => {
    expect((await fetch(`${stack.serverUrl}/healthz`)).status).toBe(200);
    const a = await createApproval(stack, { memberId: p.memberId, ownerId: p.dealId });
    const click = await stack.emu.click(p.memberId, { activityId: a.activityId, actionId: 'approve' });
    expect(click.statuses).toEqual([200]);
    await settled(stack, p.memberId, a.activityId, 1);
    expect((await getApproval(stack, a.id)).state).toBe('approved');
    expect((await stack.emu.activity(p.memberId, a.activityId)).locked).toBe(false);
  });
});
