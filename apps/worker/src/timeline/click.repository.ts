import type { Approval, Db, TimelineEvent } from '@b24app/db';
import { rawPool } from '@b24app/db';

/**
 * The worker's reads and writes for one click, in plain SQL on the pool behind Prisma: this is the
 * hot loop (every click, several statements), and Prisma's query engine cost more CPU than the
 * queries (bench/click-latency.bench.ts). Rows come back in the Prisma model types.
 */
export interface ClickPortal {
  id: string;
  memberId: string;
  status: 'ACTIVE' | 'NEEDS_REINSTALL' | 'UNINSTALLED';
  language: string;
  badgeCode: string | null;
}

export interface ClickRepository {
  loadClick(eventId: string): Promise<{ event: TimelineEvent; portal: ClickPortal } | null>;
  /** Unfinished clicks of the activity received up to `upTo`, oldest first. */
  pendingClicks(portalId: string, activityId: number, upTo: Date): Promise<TimelineEvent[]>;
  markProcessing(eventId: string): Promise<void>;
  approvalFor(portalId: string, activityId: number): Promise<Approval | null>;
  approvalById(id: string): Promise<Approval>;
  /** Decides a PENDING approval and marks the click `applied`, atomically; null when it was already decided. */
  decide(a: {
    approvalId: string;
    eventId: string;
    state: 'APPROVED' | 'REJECTED';
    userId: number;
    userName: string | null;
  }): Promise<Approval | null>;
  setLastError(approvalId: string, error: string | null): Promise<Approval>;
  finish(a: {
    eventId: string;
    state: 'DONE' | 'FAILED';
    outcome: string;
    error: string | null;
    updated: boolean;
  }): Promise<Date | null>;
  note(eventId: string, error: string): Promise<void>;
}

export function createClickRepository(db: Db): ClickRepository {
  const pool = rawPool(db);
  const one = async <T>(sql: string, params: unknown[]): Promise<T | null> =>
    (await pool.query(sql, params)).rows[0] ?? null;

  return {
    async loadClick(eventId) {
      const row = await one<Record<string, unknown>>(
        `SELECT e.*, p.member_id AS p_member_id, p.status::text AS p_status,
                COALESCE(s.language, 'en') AS s_language, s.badge_code AS s_badge_code
         FROM timeline_events e JOIN portals p ON p.id = e.portal_id
         LEFT JOIN portal_settings s ON s.portal_id = p.id
         WHERE e.id = $1`,
        [eventId],
      );
      if (!row) return null;
      return {
        event: toEvent(row),
        portal: {
          id: row.portal_id as string,
          memberId: row.p_member_id as string,
          status: row.p_status as ClickPortal['status'],
          language: row.s_language as string,
          badgeCode: (row.s_badge_code as string | null) ?? null,
        },
      };
    },
    async pendingClicks(portalId, activityId, upTo) {
      const r = await pool.query(
        `SELECT * FROM timeline_events
         WHERE portal_id = $1 AND activity_id = $2 AND state IN ('RECEIVED', 'ENQUEUED', 'PROCESSING') AND received_at <= $3
         ORDER BY received_at, id`,
        [portalId, activityId, upTo],
      );
      return r.rows.map(toEvent);
    },
    async markProcessing(eventId) {
      await pool.query(
        `UPDATE timeline_events SET state = 'PROCESSING', attempts = attempts + 1,
                processing_started_at = COALESCE(processing_started_at, now())
         WHERE id = $1`,
        [eventId],
      );
    },
    async approvalFor(portalId, activityId) {
      const row = await one<Record<string, unknown>>(
        'SELECT * FROM approvals WHERE portal_id = $1 AND activity_id = $2',
        [portalId, activityId],
      );
      return row ? toApproval(row) : null;
    },
    async approvalById(id) {
      const row = await one<Record<string, unknown>>('SELECT * FROM approvals WHERE id = $1', [id]);
      if (!row) throw new Error(`approval ${id} vanished`);
      return toApproval(row);
    },
    async decide(a) {
      // One statement: the conditional decision and the click's `applied` mark commit together.
      const row = await one<Record<string, unknown>>(
        `WITH d AS (
           UPDATE approvals SET state = $2::"ApprovalState", decided_by_id = $3, decided_by_name = $4, decided_at = now(),
                  last_error = NULL, updated_at = now()
           WHERE id = $1 AND state = 'PENDING' RETURNING *
         ), e AS (
           UPDATE timeline_events SET outcome = 'applied' WHERE id = $5 AND EXISTS (SELECT 1 FROM d) RETURNING id
         )
         SELECT * FROM d`,
        [a.approvalId, a.state, a.userId, a.userName, a.eventId],
      );
      return row ? toApproval(row) : null;
    },
    async setLastError(approvalId, error) {
      const row = await one<Record<string, unknown>>(
        'UPDATE approvals SET last_error = $2, updated_at = now() WHERE id = $1 RETURNING *',
        [approvalId, error],
      );
      if (!row) throw new Error(`approval ${approvalId} vanished`);
      return toApproval(row);
    },
    async finish(a) {
      const row = await one<{ received_at: Date }>(
        `UPDATE timeline_events SET state = $2::"TimelineEventState", outcome = $3, error = $4, finished_at = now(),
                updated_activity_at = CASE WHEN $5 THEN now() ELSE updated_activity_at END
         WHERE id = $1 RETURNING received_at`,
        [a.eventId, a.state, a.outcome, a.error?.slice(0, 500) ?? null, a.updated],
      );
      return row?.received_at ?? null;
    },
    async note(eventId, error) {
      await pool.query('UPDATE timeline_events SET error = $2 WHERE id = $1', [eventId, error.slice(0, 500)]);
    },
  };
}

function toEvent(r: Record<string, unknown>): TimelineEvent {
  return {
    id: r.id as string,
    portalId: r.portal_id as string,
    dedupeKey: r.dedupe_key as string,
    activityId: r.activity_id as number,
    actionId: r.action_id as string,
    entityTypeId: r.entity_type_id as number,
    entityId: r.entity_id as number,
    userId: r.user_id as number,
    params: r.params as TimelineEvent['params'],
    eventTs: (r.event_ts as number | null) ?? null,
    state: r.state as TimelineEvent['state'],
    attempts: r.attempts as number,
    outcome: (r.outcome as string | null) ?? null,
    error: (r.error as string | null) ?? null,
    receivedAt: r.received_at as Date,
    enqueuedAt: (r.enqueued_at as Date | null) ?? null,
    processingStartedAt: (r.processing_started_at as Date | null) ?? null,
    updatedActivityAt: (r.updated_activity_at as Date | null) ?? null,
    finishedAt: (r.finished_at as Date | null) ?? null,
  };
}

function toApproval(r: Record<string, unknown>): Approval {
  return {
    id: r.id as string,
    portalId: r.portal_id as string,
    ownerTypeId: r.owner_type_id as number,
    ownerId: r.owner_id as number,
    activityId: (r.activity_id as number | null) ?? null,
    addClaimId: (r.add_claim_id as string | null) ?? null,
    addClaimUntil: (r.add_claim_until as Date | null) ?? null,
    title: r.title as string,
    description: (r.description as string | null) ?? null,
    responsibleId: (r.responsible_id as number | null) ?? null,
    requesterId: (r.requester_id as number | null) ?? null,
    requesterName: (r.requester_name as string | null) ?? null,
    deadline: (r.deadline as Date | null) ?? null,
    idempotencyKey: (r.idempotency_key as string | null) ?? null,
    state: r.state as Approval['state'],
    decidedById: (r.decided_by_id as number | null) ?? null,
    decidedByName: (r.decided_by_name as string | null) ?? null,
    decidedAt: (r.decided_at as Date | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}
