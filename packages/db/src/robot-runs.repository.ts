/**
 * The one writer of `robot_runs`: each run of our robot that Bitrix24's automation delivered, recorded before the
 * handler answers. The same run delivered twice (same event_token) is one row and one approval: the run, and for an
 * accepted run its PENDING approval (left to the creation job), are written in one transaction.
 *
 * The event_token is a capability (bizproc.event.send with it answers the automation): only its SHA-256 is stored
 * in clear (the dedupe key), the token itself sealed by the token cipher, opened only by the worker's delivery.
 */
import type { Prisma } from './generated/prisma/client.js';
import type { ApprovalsRepository, NewApproval } from './approvals.repository.js';
import { type Db, rawPool } from './client.js';

export interface RecordRunInput {
  id: string;
  portalId: string;
  /** SHA-256 hex of the event_token. */
  eventTokenHash: string;
  /** The event_token sealed by the token cipher. */
  eventToken: { keyId: string; data: string };
  workflowId: string | null;
  robotCode: string;
  documentId: string[];
  ownerTypeId: number | null;
  ownerId: number | null;
  properties: Record<string, unknown>;
  userId: number | null;
  eventTs: number | null;
  /** REFUSED: a genuine run we cannot act on (its reason in `refusal`); no approval. */
  state: 'ACCEPTED' | 'REFUSED';
  refusal: string | null;
  /** The approval of an ACCEPTED run (its id is the run's approval_id). */
  approval: NewApproval | null;
}

export interface RecordedRun {
  runId: string;
  state: 'ACCEPTED' | 'REFUSED';
  approvalId: string | null;
  refusal: string | null;
  /** The run was recorded by an earlier delivery: nothing new was written. */
  duplicate: boolean;
}

/** What the worker's `bizproc_event` delivery needs of an approval's run. */
export interface ApprovalRun {
  id: string;
  portalId: string;
  eventTokenEnc: string;
  eventTokenKeyId: string;
}

export interface RobotRunsRepository {
  record(input: RecordRunInput): Promise<RecordedRun>;
  /** The run an approval came from (null: the approval was not made by a robot, or the run was purged). */
  runOfApproval(approvalId: string): Promise<ApprovalRun | null>;
  /** Uninstall with CLEAN=1: the portal's runs go (their tokens with them). */
  purgePortal(tx: Prisma.TransactionClient, portalId: string): Promise<void>;
}

export function createRobotRunsRepository(db: Db, approvals: Pick<ApprovalsRepository, 'insertForCreateJob'>) {
  const pool = rawPool(db);
  const existing = async (portalId: string, hash: string): Promise<RecordedRun> => {
    const r = await pool.query<{
      id: string;
      state: RecordedRun['state'];
      approval_id: string | null;
      refusal: string;
    }>(
      'SELECT id, state::text AS state, approval_id, refusal FROM robot_runs WHERE portal_id = $1 AND event_token_hash = $2',
      [portalId, hash],
    );
    const row = r.rows[0];
    if (!row) throw new Error('robot run vanished between its insert and its read');
    return { runId: row.id, state: row.state, approvalId: row.approval_id, refusal: row.refusal, duplicate: true };
  };

  const repo: RobotRunsRepository = {
    async record(c) {
      const conn = await pool.connect();
      try {
        await conn.query('BEGIN');
        const inserted = await conn.query(
          `INSERT INTO robot_runs (id, portal_id, event_token_hash, event_token_enc, event_token_key_id, workflow_id,
             robot_code, document_id, owner_type_id, owner_id, properties, user_id, event_ts, state, refusal)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::"RobotRunState", $15)
           ON CONFLICT (portal_id, event_token_hash) DO NOTHING`,
          [
            c.id,
            c.portalId,
            c.eventTokenHash,
            c.eventToken.data,
            c.eventToken.keyId,
            c.workflowId,
            c.robotCode,
            JSON.stringify(c.documentId),
            c.ownerTypeId,
            c.ownerId,
            JSON.stringify(c.properties),
            c.userId,
            c.eventTs,
            c.state,
            c.refusal,
          ],
        );
        if (inserted.rowCount === 0) {
          await conn.query('ROLLBACK');
          return existing(c.portalId, c.eventTokenHash);
        }
        if (c.state === 'ACCEPTED' && c.approval) {
          await approvals.insertForCreateJob(conn, c.approval);
          await conn.query('UPDATE robot_runs SET approval_id = $2 WHERE id = $1', [c.id, c.approval.id]);
        }
        await conn.query('COMMIT');
        return {
          runId: c.id,
          state: c.state,
          approvalId: c.state === 'ACCEPTED' ? (c.approval?.id ?? null) : null,
          refusal: c.refusal,
          duplicate: false,
        };
      } catch (e) {
        await conn.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        conn.release();
      }
    },

    async runOfApproval(approvalId) {
      const r = await pool.query<{
        id: string;
        portal_id: string;
        event_token_enc: string;
        event_token_key_id: string;
      }>('SELECT id, portal_id, event_token_enc, event_token_key_id FROM robot_runs WHERE approval_id = $1', [
        approvalId,
      ]);
      const row = r.rows[0];
      return row
        ? {
            id: row.id,
            portalId: row.portal_id,
            eventTokenEnc: row.event_token_enc,
            eventTokenKeyId: row.event_token_key_id,
          }
        : null;
    },

    async purgePortal(tx, portalId) {
      await tx.$executeRaw`DELETE FROM robot_runs WHERE portal_id = ${portalId}::uuid`;
    },
  };
  return repo;
}
