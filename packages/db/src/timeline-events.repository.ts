/**
 * The one owner of `timeline_events`: every transition of a click has a name here, and nothing else writes
 * the table (server intake, the worker's processor, relay and sweeper, install and uninstall all call this).
 *
 * Plain SQL on the pool behind Prisma: the intake insert and the worker's per-click statements are the hot
 * path, and Prisma's query engine cost more CPU than the queries (bench/intake.bench.ts,
 * bench/click-latency.bench.ts). The two transitions that belong to an install's or uninstall's transaction
 * take that transaction's client.
 */
import type { Approval, ClickSource, Prisma } from './generated/prisma/client.js';
import { decisionDeliveriesInsert } from './approval-deliveries.repository.js';
import { type Db, rawPool } from './client.js';
import { type ClickOutcome, type ClickRecord, finalStateOf } from './click-lifecycle.js';

export interface RecordClickInput {
  id: string;
  portalId: string;
  dedupeKey: string;
  activityId: number;
  actionId: string;
  entityTypeId: number;
  entityId: number;
  userId: number;
  params: Record<string, string>;
  eventTs: number | null;
  /** The delivery's user auth, sealed by the token cipher (the worker proves the clicking user with it). */
  userAuth: { keyId: string; data: string } | null;
  /** EVENT (default): a restEvent delivery; APP_PAGE: a decision on the app page, sealed with its session's user token. */
  source?: ClickSource;
}

/** The portal facts a click needs, read with the click. */
export interface ClickPortal {
  id: string;
  memberId: string;
  /** `https://<portal>/rest/`: where a user's own token is checked. */
  clientEndpoint: string;
  /** The portal's OAuth server, where a user token's owner is asked. */
  serverEndpoint: string;
  status: 'ACTIVE' | 'NEEDS_REINSTALL' | 'UNINSTALLED';
  language: string;
  badgeCode: string | null;
  /** The card's timeline icon and logo from the portal's settings (null: the app's defaults). */
  iconCode: string | null;
  logoCode: string | null;
  /** Minutes before a deadline at which Bitrix24 reminds the approver (the card's pingOffsets). */
  pingOffsets: number[];
  /** A reject needs a comment: the card's Reject opens the details; a restEvent reject decides nothing. */
  rejectCommentRequired: boolean;
}

export interface StaleClick {
  id: string;
  attempts: number;
  activityId: number;
  /** The latest job's id (null: the intake's job, whose id is the event id). */
  jobId: string | null;
}

export interface TimelineEventsRepository {
  /** RECEIVED: the delivery is durable. The same delivery twice (same dedupe key) is one row. */
  record(input: RecordClickInput): Promise<{ eventId: string; duplicate: boolean }>;
  /** RECEIVED → ENQUEUED, many at once; each keeps its own time. A click already further along is left alone. */
  markEnqueued(marks: { id: string; at: Date; jobId?: string }[]): Promise<void>;
  /** The relay's pass: RECEIVED clicks older than `graceMs`, handed to `enqueue` and marked ENQUEUED with the job ids it returns, in one transaction (SKIP LOCKED: relays in parallel never share a click). */
  relayReceived(
    opts: { graceMs: number; limit: number },
    enqueue: (eventIds: string[]) => Promise<string[]>,
  ): Promise<number>;
  /** The sweeper's query: unfinished clicks neither received nor (re)enqueued since `cutoff`, oldest first. */
  staleClicks(cutoff: Date, limit: number): Promise<StaleClick[]>;
  /** The sweeper gave the click a fresh job. */
  markRequeued(eventId: string, jobId: string): Promise<void>;
  /** → FAILED abandoned (the sweeper, after every attempt); a click that finished meanwhile is left alone. */
  abandon(eventId: string): Promise<boolean>;

  loadClick(eventId: string): Promise<{ event: ClickRecord; portal: ClickPortal } | null>;
  /** Unfinished clicks of the activity received up to `upTo`, oldest first. */
  pendingOnActivity(portalId: string, activityId: number, upTo: Date): Promise<ClickRecord[]>;
  /** → PROCESSING, one more attempt. */
  claim(eventId: string): Promise<void>;
  /** The portal's bucket said "not now": the pass does not count as an attempt. */
  yieldToRateLimit(eventId: string, note: string): Promise<void>;
  /** Why the latest attempt did not finish (the click stays where it is). */
  note(eventId: string, error: string): Promise<void>;
  /**
   * Decides a PENDING approval with the decider's comment (null: none), marks the click `applied` and owes the
   * decision's deliveries (the outbox, approval-deliveries.repository.ts) in one statement; null when it was already decided.
   */
  applyDecision(a: {
    approvalId: string;
    eventId: string;
    state: 'APPROVED' | 'REJECTED';
    userId: number;
    userName: string | null;
    comment: string | null;
  }): Promise<Approval | null>;
  /** The outcome recorded so far (an `applied` mark survives a failed update). */
  outcomeOf(eventId: string): Promise<ClickOutcome | null>;
  /** → DONE | FAILED by the outcome; returns when the click was received (null: the row is gone). */
  finish(a: { eventId: string; outcome: ClickOutcome; error: string | null; updated: boolean }): Promise<Date | null>;

  /** FAILED portal_gone → RECEIVED for the portal: with tokens back, the relay takes them again. */
  requeueAfterReinstall(tx: Prisma.TransactionClient, portalId: string): Promise<number>;
  /** Uninstall with CLEAN=1: the portal's clicks go. */
  purgePortal(tx: Prisma.TransactionClient, portalId: string): Promise<void>;
  /**
   * An operator's replay (app page, admins): one FAILED click of the portal → RECEIVED with a fresh attempt
   * budget, so the relay takes it again like a click whose enqueue was missed. False: not a failed click of it.
   */
  replayFailed(portalId: string, eventId: string): Promise<boolean>;
}

const UNFINISHED = `('RECEIVED', 'ENQUEUED', 'PROCESSING')`;
const clip = (s: string | null) => s?.slice(0, 500) ?? null;

export function createTimelineEventsRepository(db: Db): TimelineEventsRepository {
  const pool = rawPool(db);
  const one = async <T>(sql: string, params: unknown[]): Promise<T | null> =>
    (await pool.query(sql, params)).rows[0] ?? null;

  return {
    async record(c) {
      const inserted = await pool.query(
        `INSERT INTO timeline_events
           (id, portal_id, dedupe_key, activity_id, action_id, entity_type_id, entity_id, user_id, params, event_ts,
            user_auth_enc, user_auth_key_id, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::"ClickSource")
         ON CONFLICT (dedupe_key) DO NOTHING`,
        [
          c.id,
          c.portalId,
          c.dedupeKey,
          c.activityId,
          c.actionId,
          c.entityTypeId,
          c.entityId,
          c.userId,
          JSON.stringify(c.params),
          c.eventTs,
          c.userAuth?.data ?? null,
          c.userAuth?.keyId ?? null,
          c.source ?? 'EVENT',
        ],
      );
      if (inserted.rowCount !== 0) return { eventId: c.id, duplicate: false };
      const existing = await one<{ id: string }>('SELECT id FROM timeline_events WHERE dedupe_key = $1', [c.dedupeKey]);
      return { eventId: existing?.id ?? c.id, duplicate: true };
    },

    async markEnqueued(marks) {
      if (marks.length === 0) return;
      await pool.query(
        `UPDATE timeline_events t SET state = 'ENQUEUED', enqueued_at = v.at, job_id = COALESCE(v.job_id, t.job_id)
         FROM unnest($1::uuid[], $2::timestamptz[], $3::text[]) AS v(id, at, job_id)
         WHERE t.id = v.id AND t.state = 'RECEIVED'`,
        [marks.map((m) => m.id), marks.map((m) => m.at), marks.map((m) => m.jobId ?? null)],
      );
    },

    async relayReceived(opts, enqueue) {
      const conn = await pool.connect();
      try {
        await conn.query('BEGIN');
        const rows = (
          await conn.query<{ id: string }>(
            `SELECT id FROM timeline_events
             WHERE state = 'RECEIVED' AND received_at < now() - make_interval(secs => $1)
             ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
            [opts.graceMs / 1000, opts.limit],
          )
        ).rows.map((r) => r.id);
        if (rows.length > 0) {
          const jobIds = await enqueue(rows);
          await conn.query(
            `UPDATE timeline_events t SET state = 'ENQUEUED', enqueued_at = now(), job_id = v.job_id
             FROM unnest($1::uuid[], $2::text[]) AS v(id, job_id)
             WHERE t.id = v.id AND t.state = 'RECEIVED'`,
            [rows, jobIds],
          );
        }
        await conn.query('COMMIT');
        return rows.length;
      } catch (e) {
        await conn.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        conn.release();
      }
    },

    async staleClicks(cutoff, limit) {
      const r = await pool.query<{ id: string; attempts: number; activity_id: number; job_id: string | null }>(
        `SELECT id, attempts, activity_id, job_id FROM timeline_events
         WHERE state IN ('ENQUEUED', 'PROCESSING') AND received_at < $1 AND (enqueued_at IS NULL OR enqueued_at < $1)
         ORDER BY received_at LIMIT $2`,
        [cutoff, limit],
      );
      return r.rows.map((x) => ({ id: x.id, attempts: x.attempts, activityId: x.activity_id, jobId: x.job_id }));
    },

    async markRequeued(eventId, jobId) {
      await pool.query('UPDATE timeline_events SET enqueued_at = now(), job_id = $2 WHERE id = $1', [eventId, jobId]);
    },

    async abandon(eventId) {
      const r = await pool.query(
        `UPDATE timeline_events SET state = 'FAILED', outcome = $2, finished_at = now(), user_auth_enc = NULL,
                user_auth_key_id = NULL
         WHERE id = $1 AND state IN ${UNFINISHED}`,
        [eventId, 'abandoned' satisfies ClickOutcome],
      );
      return r.rowCount === 1;
    },

    async loadClick(eventId) {
      const row = await one<Record<string, unknown>>(
        `SELECT e.*, p.member_id AS p_member_id, p.client_endpoint AS p_client_endpoint,
                p.server_endpoint AS p_server_endpoint, p.status::text AS p_status,
                COALESCE(s.language, 'en') AS s_language, s.badge_code AS s_badge_code,
                s.icon_code AS s_icon_code, s.logo_code AS s_logo_code,
                COALESCE(s.ping_offsets, ARRAY[0, 60]) AS s_ping_offsets,
                COALESCE(s.reject_comment_required, false) AS s_reject_comment_required
         FROM timeline_events e JOIN portals p ON p.id = e.portal_id
         LEFT JOIN portal_settings s ON s.portal_id = p.id
         WHERE e.id = $1`,
        [eventId],
      );
      if (!row) return null;
      return {
        event: toClick(row),
        portal: {
          id: row.portal_id as string,
          memberId: row.p_member_id as string,
          clientEndpoint: row.p_client_endpoint as string,
          serverEndpoint: row.p_server_endpoint as string,
          status: row.p_status as ClickPortal['status'],
          language: row.s_language as string,
          badgeCode: (row.s_badge_code as string | null) ?? null,
          iconCode: (row.s_icon_code as string | null) ?? null,
          logoCode: (row.s_logo_code as string | null) ?? null,
          pingOffsets: (row.s_ping_offsets as number[] | null) ?? [],
          rejectCommentRequired: row.s_reject_comment_required === true,
        },
      };
    },

    async pendingOnActivity(portalId, activityId, upTo) {
      const r = await pool.query(
        `SELECT * FROM timeline_events
         WHERE portal_id = $1 AND activity_id = $2 AND state IN ${UNFINISHED} AND received_at <= $3
         ORDER BY received_at, id`,
        [portalId, activityId, upTo],
      );
      return r.rows.map(toClick);
    },

    async claim(eventId) {
      await pool.query(
        `UPDATE timeline_events SET state = 'PROCESSING', attempts = attempts + 1,
                processing_started_at = COALESCE(processing_started_at, now())
         WHERE id = $1`,
        [eventId],
      );
    },

    async yieldToRateLimit(eventId, note) {
      await pool.query('UPDATE timeline_events SET attempts = GREATEST(attempts - 1, 0), error = $2 WHERE id = $1', [
        eventId,
        clip(note),
      ]);
    },

    async note(eventId, error) {
      await pool.query('UPDATE timeline_events SET error = $2 WHERE id = $1', [eventId, clip(error)]);
    },

    async applyDecision(a) {
      // One statement: the conditional decision, the click's `applied` mark and what the decision owes (the
      // outbox rows) commit together.
      const row = await one<Record<string, unknown>>(
        `WITH d AS (
           UPDATE approvals SET state = $2::"ApprovalState", decided_by_id = $3, decided_by_name = $4, decided_at = now(),
                  decision_comment = $7, last_error = NULL, updated_at = now()
           WHERE id = $1 AND state = 'PENDING' RETURNING *
         ), e AS (
           UPDATE timeline_events SET outcome = $6 WHERE id = $5 AND EXISTS (SELECT 1 FROM d) RETURNING id
         ), o AS (
           ${decisionDeliveriesInsert('d')}
         )
         SELECT * FROM d`,
        [a.approvalId, a.state, a.userId, a.userName, a.eventId, 'applied' satisfies ClickOutcome, a.comment],
      );
      return row ? toApproval(row) : null;
    },

    async outcomeOf(eventId) {
      const row = await one<{ outcome: ClickOutcome | null }>('SELECT outcome FROM timeline_events WHERE id = $1', [
        eventId,
      ]);
      return row?.outcome ?? null;
    },

    async finish(a) {
      const row = await one<{ received_at: Date }>(
        // A DONE click needs its user's token no more; a FAILED one keeps it for the requeue after a reinstall.
        `UPDATE timeline_events SET state = $2::"TimelineEventState", outcome = $3, error = $4, finished_at = now(),
                updated_activity_at = CASE WHEN $5 THEN now() ELSE updated_activity_at END,
                user_auth_enc = CASE WHEN $6 THEN NULL ELSE user_auth_enc END,
                user_auth_key_id = CASE WHEN $6 THEN NULL ELSE user_auth_key_id END
         WHERE id = $1 RETURNING received_at`,
        [a.eventId, finalStateOf(a.outcome), a.outcome, clip(a.error), a.updated, finalStateOf(a.outcome) === 'DONE'],
      );
      return row?.received_at ?? null;
    },

    async requeueAfterReinstall(tx, portalId) {
      const gone: ClickOutcome = 'portal_gone';
      return tx.$executeRaw`
        UPDATE timeline_events SET state = 'RECEIVED', outcome = NULL, enqueued_at = NULL, finished_at = NULL
        WHERE portal_id = ${portalId}::uuid AND state = 'FAILED' AND outcome = ${gone}`;
    },

    async replayFailed(portalId, eventId) {
      const r = await pool.query(
        `UPDATE timeline_events SET state = 'RECEIVED', outcome = NULL, error = NULL, attempts = 0,
           enqueued_at = NULL, finished_at = NULL
         WHERE id = $1 AND portal_id = $2 AND state = 'FAILED'`,
        [eventId, portalId],
      );
      return r.rowCount === 1;
    },

    async purgePortal(tx, portalId) {
      await tx.$executeRaw`DELETE FROM timeline_events WHERE portal_id = ${portalId}::uuid`;
    },
  };
}

function toClick(r: Record<string, unknown>): ClickRecord {
  return {
    id: r.id as string,
    portalId: r.portal_id as string,
    dedupeKey: r.dedupe_key as string,
    activityId: r.activity_id as number,
    actionId: r.action_id as string,
    entityTypeId: r.entity_type_id as number,
    entityId: r.entity_id as number,
    userId: r.user_id as number,
    params: r.params as ClickRecord['params'],
    eventTs: (r.event_ts as number | null) ?? null,
    source: (r.source as ClickSource | undefined) ?? 'EVENT',
    state: r.state as ClickRecord['state'],
    attempts: r.attempts as number,
    outcome: (r.outcome as ClickOutcome | null) ?? null,
    error: (r.error as string | null) ?? null,
    receivedAt: r.received_at as Date,
    enqueuedAt: (r.enqueued_at as Date | null) ?? null,
    processingStartedAt: (r.processing_started_at as Date | null) ?? null,
    updatedActivityAt: (r.updated_activity_at as Date | null) ?? null,
    finishedAt: (r.finished_at as Date | null) ?? null,
    jobId: (r.job_id as string | null) ?? null,
    userAuthEnc: (r.user_auth_enc as string | null) ?? null,
    userAuthKeyId: (r.user_auth_key_id as string | null) ?? null,
  };
}

/** An `approvals` row from plain SQL, in the Prisma model's shape. */
export function toApproval(r: Record<string, unknown>): Approval {
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
    decisionComment: (r.decision_comment as string | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
    apiKeyId: (r.api_key_id as string | null) ?? null,
    callbackUrl: (r.callback_url as string | null) ?? null,
    createRequestedAt: (r.create_requested_at as Date | null) ?? null,
    addAttempts: (r.add_attempts as number | undefined) ?? 0,
    createFailedAt: (r.create_failed_at as Date | null) ?? null,
    createError: (r.create_error as string | null) ?? null,
    createErrorKind: (r.create_error_kind as string | null) ?? null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}
