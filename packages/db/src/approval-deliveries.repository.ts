/**
 * The outbox `approval_deliveries`: what must reach someone once an approval is decided (the robot's answer, the
 * requester's notification, callbacks) or once its activity exists (the approver's notification), one row per
 * (approval, kind). This module is its only writer.
 *
 * Rows are born in the decision's own statement: `applyDecision` (timeline-events.repository.ts) appends
 * `decisionDeliveriesInsert('d')`, so a decision and what it owes commit together and a crash between them cannot
 * lose one; likewise `settleActivity` (approvals.repository.ts) appends `creationDeliveriesInsert('d')` to the
 * statement that stores the activity id. A kind is owed when its condition on the row holds (DELIVERY_KINDS,
 * CREATION_DELIVERY_KINDS: portal switches are read there, so a later change never resends); adding a kind is one
 * entry here and one handler in the worker (apps/worker/src/deliveries/handlers/).
 *
 * The row is the schedule: the relay hands due PENDING rows to jobs (job id = delivery id), a job `claim`s one
 * attempt (the row's next_attempt_at moves one lease ahead, so a dead worker's attempt is due again after it), and
 * ends it DONE, FAILED, or due again later. `in_doubt` remembers that an earlier attempt may have reached the
 * recipient (its answer was lost, or its worker died mid-call), so a handler can tell "refused because it was
 * already delivered" from "refused".
 */
import type { DeliveryState } from './generated/prisma/client.js';
import { type Db, rawPool } from './client.js';

/**
 * Every kind and when a decision owes it: an SQL condition on `d`, the decided approvals row. Only constant SQL
 * here (it is spliced into the decision's statement).
 */
export const DELIVERY_KINDS = {
  /** The robot run that made the approval waits for bizproc.event.send. */
  bizproc_event: 'EXISTS (SELECT 1 FROM robot_runs r WHERE r.approval_id = d.id)',
  /** The integration asked to be told (a signed POST to its callbackUrl). */
  callback: 'd.callback_url IS NOT NULL',
  /** The requester hears the decision (not when they decided it themselves), unless the portal switched it off. */
  notify_requester: `d.requester_id IS NOT NULL AND d.requester_id IS DISTINCT FROM d.decided_by_id AND ${setting('notify_requester')}`,
} as const satisfies Record<string, string>;

/**
 * Every kind owed once an approval's activity exists (the approval is then waiting for its approver), as a
 * condition on `d`, the row that just got its activity id. Inserted in that statement (`settleActivity`).
 */
export const CREATION_DELIVERY_KINDS = {
  /** The approver hears that an approval waits for them (not when they asked themselves). */
  notify_approver: `d.responsible_id IS NOT NULL AND d.responsible_id IS DISTINCT FROM d.requester_id AND ${setting('notify_approver')}`,
} as const satisfies Record<string, string>;

export type DeliveryKind = keyof typeof DELIVERY_KINDS | keyof typeof CREATION_DELIVERY_KINDS;

/** A portal switch read when the row is born (a portal without settings has the defaults: on). */
function setting(column: 'notify_approver' | 'notify_requester'): string {
  return `COALESCE((SELECT s.${column} FROM portal_settings s WHERE s.portal_id = d.portal_id), true)`;
}

/**
 * The INSERT that owes a decided approval its deliveries, for a data-modifying CTE of the decision's statement:
 * `WITH d AS (UPDATE approvals … RETURNING *), o AS (${decisionDeliveriesInsert('d')}) …`.
 */
export function decisionDeliveriesInsert(decided: string): string {
  return deliveriesInsert(decided, DELIVERY_KINDS);
}

/**
 * The INSERT that owes an approval what its new activity makes due (the approver's notification), for a
 * data-modifying CTE of the statement that stores the activity id (`settleActivity`).
 */
export function creationDeliveriesInsert(settled: string): string {
  return deliveriesInsert(settled, CREATION_DELIVERY_KINDS);
}

function deliveriesInsert(from: string, kinds: Record<string, string>): string {
  const selects = Object.entries(kinds).map(
    ([kind, when]) => `SELECT gen_random_uuid(), d.portal_id, d.id, '${kind}' FROM ${from} d WHERE ${when}`,
  );
  return `INSERT INTO approval_deliveries (id, portal_id, approval_id, kind)
    ${selects.join('\n    UNION ALL ')}
    ON CONFLICT (approval_id, kind) DO NOTHING`;
}

export interface DeliveryRow {
  id: string;
  portalId: string;
  approvalId: string;
  kind: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: Date;
  inDoubt: boolean;
  outcome: string | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

export interface ApprovalDeliveriesRepository {
  /** The relay's query: PENDING rows due now, the longest-waiting first. */
  due(limit: number): Promise<{ id: string; kind: string }[]>;
  /**
   * Takes one attempt of a PENDING, due row: one more attempt, and due again only after `leaseMs` (a worker that
   * dies mid-attempt leaves it to the relay after that). Null: done, failed, not due, or another attempt holds it.
   */
  claim(id: string, leaseMs: number): Promise<DeliveryRow | null>;
  /** The attempt is about to call out: from now on its answer may be lost. */
  markInDoubt(id: string): Promise<void>;
  /** Delivered (outcome e.g. `sent`, `already_delivered`). */
  markDone(id: string, outcome: string, note?: string | null): Promise<void>;
  /**
   * Not this time: due again at `at`. `inDoubt`: whether an attempt so far may have reached the recipient.
   * `giveBack`: the attempt does not count (the portal's rate limit said "not now").
   */
  retryAt(id: string, r: { at: Date; error: string; inDoubt: boolean; giveBack?: boolean }): Promise<void>;
  /** Ends it undelivered (outcome e.g. `refused`, `gave_up`, `approval_gone`) with the reason. */
  markFailed(id: string, outcome: string, error: string): Promise<void>;
  /** An approval's deliveries, for the API and the app page. */
  ofApproval(approvalId: string): Promise<DeliveryRow[]>;
}

const clip = (s: string | null | undefined) => s?.slice(0, 500) ?? null;

export function createApprovalDeliveriesRepository(db: Db): ApprovalDeliveriesRepository {
  const pool = rawPool(db);
  return {
    async due(limit) {
      const r = await pool.query<{ id: string; kind: string }>(
        `SELECT id, kind FROM approval_deliveries WHERE state = 'PENDING' AND next_attempt_at <= now()
         ORDER BY next_attempt_at LIMIT $1`,
        [limit],
      );
      return r.rows;
    },

    async claim(id, leaseMs) {
      const r = await pool.query(
        `UPDATE approval_deliveries SET attempts = attempts + 1,
                next_attempt_at = now() + make_interval(secs => $2)
         WHERE id = $1 AND state = 'PENDING' AND next_attempt_at <= now() RETURNING *`,
        [id, leaseMs / 1000],
      );
      return r.rows[0] ? toDelivery(r.rows[0]) : null;
    },

    async markInDoubt(id) {
      await pool.query('UPDATE approval_deliveries SET in_doubt = true WHERE id = $1', [id]);
    },

    async markDone(id, outcome, note = null) {
      await pool.query(
        `UPDATE approval_deliveries SET state = 'DONE', outcome = $2, last_error = $3, delivered_at = now()
         WHERE id = $1 AND state = 'PENDING'`,
        [id, outcome, clip(note)],
      );
    },

    async retryAt(id, r) {
      await pool.query(
        `UPDATE approval_deliveries SET next_attempt_at = $2, last_error = $3, in_doubt = $4,
                attempts = CASE WHEN $5 THEN GREATEST(attempts - 1, 0) ELSE attempts END
         WHERE id = $1 AND state = 'PENDING'`,
        [id, r.at, clip(r.error), r.inDoubt, r.giveBack === true],
      );
    },

    async markFailed(id, outcome, error) {
      await pool.query(
        `UPDATE approval_deliveries SET state = 'FAILED', outcome = $2, last_error = $3
         WHERE id = $1 AND state = 'PENDING'`,
        [id, outcome, clip(error)],
      );
    },

    async ofApproval(approvalId) {
      const r = await pool.query('SELECT * FROM approval_deliveries WHERE approval_id = $1 ORDER BY created_at, kind', [
        approvalId,
      ]);
      return r.rows.map(toDelivery);
    },
  };
}

function toDelivery(r: Record<string, unknown>): DeliveryRow {
  return {
    id: r.id as string,
    portalId: r.portal_id as string,
    approvalId: r.approval_id as string,
    kind: r.kind as string,
    state: r.state as DeliveryState,
    attempts: r.attempts as number,
    nextAttemptAt: r.next_attempt_at as Date,
    inDoubt: r.in_doubt as boolean,
    outcome: (r.outcome as string | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
    createdAt: r.created_at as Date,
    deliveredAt: (r.delivered_at as Date | null) ?? null,
  };
}
