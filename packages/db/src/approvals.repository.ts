/**
 * The owner of the approvals writes of creation: a PENDING row handed to the creation job (a robot run's, an
 * integrations API or app page create), the add claim the job takes before `crm.activity.configurable.add`, the
 * activity id it stores, and the job's failure. (The decision is the click lifecycle's `applyDecision`.)
 *
 * Plain SQL on the pool like the rest of the worker's path. The add claim is the same contract as the API's:
 * only the holder of an unexpired claim adds for a row, and a crashed holder's claim lapses.
 */
import type pg from 'pg';
import type { Approval } from './generated/prisma/client.js';
import { type Db, rawPool } from './client.js';
import { creationDeliveriesInsert } from './approval-deliveries.repository.js';
import { toApproval } from './timeline-events.repository.js';

/** A statement runner: the pool, or a client inside the caller's transaction. */
export type SqlRunner = Pick<pg.PoolClient, 'query'>;

export interface NewApproval {
  id: string;
  portalId: string;
  ownerTypeId: number;
  ownerId: number;
  title: string;
  description: string | null;
  responsibleId: number | null;
  requesterId: number | null;
  requesterName: string | null;
  deadline: Date | null;
  idempotencyKey: string | null;
}

/** The portal facts a job needs with the row: who to call, whether it can be called, and the card's look. */
export interface CreatePortal {
  memberId: string;
  /** The portal's REST endpoint (`https://<domain>/rest/`): its origin is where links into the portal go. */
  clientEndpoint: string;
  status: 'ACTIVE' | 'NEEDS_REINSTALL' | 'UNINSTALLED';
  language: string;
  badgeCode: string | null;
  iconCode: string | null;
  logoCode: string | null;
  pingOffsets: number[] | null;
  rejectCommentRequired: boolean;
}

export interface UnsettledCreate {
  id: string;
  addAttempts: number;
}

export interface ApprovalsRepository {
  /** A PENDING approval whose activity the creation job adds (`create_requested_at` set), in the caller's transaction. */
  insertForCreateJob(sql: SqlRunner, a: NewApproval): Promise<void>;
  /**
   * A create request's row, left to the creation job like `insertForCreateJob`; with an idempotency key that the
   * portal already has, nothing is inserted and the key's row is answered (`inserted: false`), however many
   * requests with it race (one statement on the unique key).
   */
  insertForRequest(
    a: NewApproval & { apiKeyId: string | null; callbackUrl: string | null },
  ): Promise<{ approval: Approval; inserted: boolean }>;
  /**
   * A request with the row's key hands an unsettled row to the job again: one the job gave up on (its failure is
   * cleared), or one from before creates went through the job (its add may have run: the job looks first). False
   * when the row needs nothing (settled, or the job's already).
   */
  requestCreate(id: string): Promise<boolean>;
  /** Deletes a create the job gave up on that nobody can name again (no idempotency key): its request got the error. */
  discardFailedCreate(id: string): Promise<void>;
  /** The row with its portal's status and card settings (the creation job, the outbox's deliveries). */
  withPortal(id: string): Promise<{ approval: Approval; portal: CreatePortal } | null>;
  /**
   * Takes the row's add claim when its activity is not settled, the job has not given up on it and nobody holds a
   * live claim (one statement, so atomic); counts the add. `earlierAdds`: adds started before this one (after the
   * first, the activity may exist: look it up by originId before adding).
   */
  takeAddClaim(id: string, claimId: string, ttlMs: number): Promise<{ taken: boolean; earlierAdds: number }>;
  /**
   * Stores the activity id and clears the claim (null: another add settled it first), and in the same statement
   * owes the approval its creation deliveries (CREATION_DELIVERY_KINDS). The single place an activity id is
   * stored, for the creation job and the API's synchronous create alike. The portal just gave this id
   * to our activity: a row still holding it is stale (an emulator reset or a restored portal reuses ids) and lets go, in the same transaction.
   */
  settleActivity(id: string, activityId: number): Promise<Approval | null>;
  /**
   * Gives the claim back after a failed attempt. `addMayHaveRun`: the add was sent and its outcome is unknown (the
   * next holder looks the activity up first); otherwise this attempt's add is not counted.
   */
  releaseAddClaim(id: string, claimId: string, o: { addMayHaveRun: boolean }): Promise<void>;
  /** Why the latest attempt did not create the activity (the job retries). */
  noteCreateError(id: string, error: string): Promise<void>;
  /** The error a card shows when its decision could not be applied (null: cleared); throws when the row is gone. */
  setLastError(id: string, error: string | null): Promise<Approval>;
  /**
   * The job gives up on the row: the portal refused the add, or every attempt failed. `kind`: the Bitrix24 error
   * kind (what a waiting request answers). False: settled meanwhile.
   */
  failCreate(id: string, error: string, kind?: string | null): Promise<boolean>;
  /** The relay's query: job-owned rows without an activity, not given up, older than `graceMs`, on ACTIVE portals. */
  unsettledCreates(opts: { graceMs: number; limit: number }): Promise<UnsettledCreate[]>;
}

const clip = (s: string) => s.slice(0, 500);

export function createApprovalsRepository(db: Db): ApprovalsRepository {
  const pool = rawPool(db);
  const one = async <T>(sql: string, params: unknown[]): Promise<T | null> =>
    (await pool.query(sql, params)).rows[0] ?? null;

  return {
    async insertForCreateJob(sql, a) {
      await sql.query(
        `INSERT INTO approvals (id, portal_id, owner_type_id, owner_id, title, description, responsible_id,
           requester_id, requester_name, deadline, idempotency_key, create_requested_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now(), now())`,
        [
          a.id,
          a.portalId,
          a.ownerTypeId,
          a.ownerId,
          a.title,
          a.description,
          a.responsibleId,
          a.requesterId,
          a.requesterName,
          a.deadline,
          a.idempotencyKey,
        ],
      );
    },

    async insertForRequest(a) {
      const inserted = await one<Record<string, unknown>>(
        `INSERT INTO approvals (id, portal_id, owner_type_id, owner_id, title, description, responsible_id,
           requester_id, requester_name, deadline, idempotency_key, api_key_id, callback_url, create_requested_at,
           updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now(), now())
         ON CONFLICT (portal_id, idempotency_key) DO NOTHING RETURNING *`,
        [
          a.id,
          a.portalId,
          a.ownerTypeId,
          a.ownerId,
          a.title,
          a.description,
          a.responsibleId,
          a.requesterId,
          a.requesterName,
          a.deadline,
          a.idempotencyKey,
          a.apiKeyId,
          a.callbackUrl,
        ],
      );
      if (inserted) return { approval: toApproval(inserted), inserted: true };
      const existing = await one<Record<string, unknown>>(
        'SELECT * FROM approvals WHERE portal_id = $1 AND idempotency_key = $2',
        [a.portalId, a.idempotencyKey],
      );
      if (!existing) throw new Error('approval insert conflicted, but its idempotency key has no row');
      return { approval: toApproval(existing), inserted: false };
    },

    async requestCreate(id) {
      const r = await pool.query(
        `UPDATE approvals SET create_requested_at = now(), create_failed_at = NULL, create_error = NULL,
                create_error_kind = NULL,
                add_attempts = CASE WHEN create_requested_at IS NULL THEN GREATEST(add_attempts, 1) ELSE add_attempts END,
                updated_at = now()
         WHERE id = $1 AND activity_id IS NULL AND (create_requested_at IS NULL OR create_failed_at IS NOT NULL)`,
        [id],
      );
      return r.rowCount === 1;
    },

    async discardFailedCreate(id) {
      await pool.query(
        `DELETE FROM approvals
         WHERE id = $1 AND idempotency_key IS NULL AND activity_id IS NULL AND create_failed_at IS NOT NULL`,
        [id],
      );
    },

    async withPortal(id) {
      const row = await one<Record<string, unknown>>(
        `SELECT a.*, p.member_id AS p_member_id, p.client_endpoint AS p_client_endpoint, p.status::text AS p_status,
                COALESCE(s.language, 'en') AS s_language, s.badge_code AS s_badge_code,
                s.icon_code AS s_icon_code, s.logo_code AS s_logo_code, s.ping_offsets AS s_ping_offsets,
                COALESCE(s.reject_comment_required, false) AS s_reject_comment_required
         FROM approvals a JOIN portals p ON p.id = a.portal_id LEFT JOIN portal_settings s ON s.portal_id = p.id
         WHERE a.id = $1`,
        [id],
      );
      if (!row) return null;
      return {
        approval: toApproval(row),
        portal: {
          memberId: row.p_member_id as string,
          clientEndpoint: row.p_client_endpoint as string,
          status: row.p_status as CreatePortal['status'],
          language: row.s_language as string,
          badgeCode: (row.s_badge_code as string | null) ?? null,
          iconCode: (row.s_icon_code as string | null) ?? null,
          logoCode: (row.s_logo_code as string | null) ?? null,
          pingOffsets: (row.s_ping_offsets as number[] | null) ?? null,
          rejectCommentRequired: row.s_reject_comment_required === true,
        },
      };
    },

    async takeAddClaim(id, claimId, ttlMs) {
      const row = await one<{ add_attempts: number }>(
        `UPDATE approvals SET add_claim_id = $2, add_claim_until = now() + make_interval(secs => $3),
                add_attempts = add_attempts + 1, updated_at = now()
         WHERE id = $1 AND activity_id IS NULL AND create_failed_at IS NULL
           AND (add_claim_id IS NULL OR add_claim_until < now())
         RETURNING add_attempts`,
        [id, claimId, ttlMs / 1000],
      );
      return row ? { taken: true, earlierAdds: row.add_attempts - 1 } : { taken: false, earlierAdds: 0 };
    },

    async settleActivity(id, activityId) {
      const conn = await pool.connect();
      try {
        await conn.query('BEGIN');
        await conn.query(
          'UPDATE approvals SET activity_id = NULL, updated_at = now() WHERE activity_id = $2 AND id <> $1 AND portal_id = (SELECT portal_id FROM approvals WHERE id = $1)',
          [id, activityId],
        );
        // The approval now waits for its approver: what that owes (their notification) is born with the id.
        const r = await conn.query(
          `WITH d AS (
             UPDATE approvals SET activity_id = $2, add_claim_id = NULL, add_claim_until = NULL, create_error = NULL,
                    updated_at = now()
             WHERE id = $1 AND activity_id IS NULL RETURNING *
           ), o AS (
             ${creationDeliveriesInsert('d')}
           )
           SELECT * FROM d`,
          [id, activityId],
        );
        await conn.query('COMMIT');
        return r.rows[0] ? toApproval(r.rows[0]) : null;
      } catch (e) {
        await conn.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        conn.release();
      }
    },

    async releaseAddClaim(id, claimId, o) {
      await pool.query(
        `UPDATE approvals SET add_claim_id = NULL, add_claim_until = NULL,
                add_attempts = CASE WHEN $3 THEN add_attempts ELSE GREATEST(add_attempts - 1, 0) END
         WHERE id = $1 AND add_claim_id = $2`,
        [id, claimId, o.addMayHaveRun],
      );
    },

    async setLastError(id, error) {
      const row = await one<Record<string, unknown>>(
        'UPDATE approvals SET last_error = $2, updated_at = now() WHERE id = $1 RETURNING *',
        [id, error],
      );
      if (!row) throw new Error(`approval ${id} vanished`);
      return toApproval(row);
    },

    async noteCreateError(id, error) {
      await pool.query('UPDATE approvals SET create_error = $2 WHERE id = $1', [id, clip(error)]);
    },

    async failCreate(id, error, kind = null) {
      const r = await pool.query(
        `UPDATE approvals SET create_failed_at = now(), create_error = $2, create_error_kind = $3, add_claim_id = NULL,
                add_claim_until = NULL, updated_at = now()
         WHERE id = $1 AND activity_id IS NULL AND create_failed_at IS NULL`,
        [id, clip(error), kind],
      );
      return r.rowCount === 1;
    },

    async unsettledCreates(opts) {
      const r = await pool.query<{ id: string; add_attempts: number }>(
        `SELECT a.id, a.add_attempts FROM approvals a JOIN portals p ON p.id = a.portal_id
         WHERE a.create_requested_at IS NOT NULL AND a.activity_id IS NULL AND a.create_failed_at IS NULL
           AND a.create_requested_at < now() - make_interval(secs => $1) AND p.status = 'ACTIVE'
         ORDER BY a.create_requested_at LIMIT $2`,
        [opts.graceMs / 1000, opts.limit],
      );
      return r.rows.map((x) => ({ id: x.id, addAttempts: x.add_attempts }));
    },
  };
}
