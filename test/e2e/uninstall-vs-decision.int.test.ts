import { encodePhpForm } from '@b24app/emulator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, waitFor } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

/**
 * Issue 10 (Low): a CLEAN=1 uninstall and a decision took their row locks in opposite orders (the decision:
 * approval, then its click; the purge: clicks, then approvals), so they could deadlock and one of them, the
 * decision or the uninstall event, was lost. Both now take approval before click.
 */
describe('CLEAN=1 uninstall racing a decision', () => {
  it('the uninstall waits for the decision instead of deadlocking with it; both complete', async () => {
    const p = await stack.installedPortal();
    const portal = await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
    const approval = await stack.db.approval.create({
      data: { portalId: portal.id, ownerTypeId: 2, ownerId: p.dealId, title: 'race', activityId: 4242 },
    });
    const click = await stack.db.timelineEvent.create({
      data: {
        portalId: portal.id,
        dedupeKey: `race-${approval.id}`,
        activityId: 4242,
        actionId: 'approve',
        entityTypeId: 2,
        entityId: p.dealId,
        userId: p.adminUserId,
        state: 'PROCESSING',
      },
    });

    // The worker's decision, statement by statement, in the order its one CTE statement locks rows.
    const decision = new pg.Client({ connectionString: stack.config.DATABASE_URL });
    await decision.connect();
    try {
      await decision.query('BEGIN');
      await decision.query(`UPDATE approvals SET state = 'APPROVED', decided_at = now() WHERE id = $1`, [approval.id]);

      const uninstall = fetch(`${stack.serverUrl}/b24/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: encodePhpForm({
          event: 'ONAPPUNINSTALL',
          data: { LANGUAGE_ID: 'en', CLEAN: '1' },
          ts: String(Math.floor(Date.now() / 1000) + 5),
          auth: {
            domain: p.domain,
            server_endpoint: stack.emulator.oauthServerEndpoint,
            client_endpoint: `http://${p.domain}/rest/`,
            member_id: p.memberId,
            application_token: p.applicationToken,
          },
        }),
      });
      // The purge is now waiting on a row the decision holds.
      await waitFor(async () => {
        const r = await decision.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return r.rows[0].n > 0;
      });
      await decision.query(`UPDATE timeline_events SET outcome = 'applied' WHERE id = $1`, [click.id]);
      await decision.query('COMMIT');

      const res = await uninstall;
      expect(res.status).toBe(200);
    } finally {
      await decision.end();
    }
    const after = await stack.db.portal.findUniqueOrThrow({ where: { memberId: p.memberId } });
    expect(after.status).toBe('UNINSTALLED');
    expect(await stack.db.approval.count({ where: { portalId: portal.id } })).toBe(0);
    expect(await stack.db.timelineEvent.count({ where: { portalId: portal.id } })).toBe(0);
  });
});
