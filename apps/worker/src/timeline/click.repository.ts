/**
 * What the click processor reads and writes, as one port it is handed (tests hand it a fake): the click's
 * transitions from the lifecycle owner (`@b24app/db` timeline-events.repository.ts) plus the approval and
 * portal reads the worker needs, in plain SQL on the pool like the rest of the hot path.
 */
import {
  type Approval,
  type ClickPortal,
  createApprovalsRepository,
  createTimelineEventsRepository,
  type Db,
  rawPool,
  type TimelineEventsRepository,
  toApproval,
} from '@b24app/db';

export type { ClickPortal };

export interface ClickRepository
  extends Pick<
    TimelineEventsRepository,
    'loadClick' | 'pendingOnActivity' | 'claim' | 'yieldToRateLimit' | 'note' | 'applyDecision' | 'outcomeOf' | 'finish'
  > {
  approvalFor(portalId: string, activityId: number): Promise<Approval | null>;
  approvalById(id: string): Promise<Approval>;
  setLastError(approvalId: string, error: string | null): Promise<Approval>;
  /** The approval exists on this portal and its add has not stored an activity id yet (an add in flight). */
  createPending(portalId: string, approvalId: string): Promise<boolean>;
  /** The portal's status now (an auth failure is "portal gone" only when the portal row says so). */
  portalStatus(portalId: string): Promise<ClickPortal['status'] | null>;
}

export function createClickRepository(db: Db): ClickRepository {
  const clicks = createTimelineEventsRepository(db);
  const approvals = createApprovalsRepository(db);
  const pool = rawPool(db);
  const one = async <T>(sql: string, params: unknown[]): Promise<T | null> =>
    (await pool.query(sql, params)).rows[0] ?? null;

  return {
    loadClick: clicks.loadClick,
    pendingOnActivity: clicks.pendingOnActivity,
    claim: clicks.claim,
    yieldToRateLimit: clicks.yieldToRateLimit,
    note: clicks.note,
    applyDecision: clicks.applyDecision,
    outcomeOf: clicks.outcomeOf,
    finish: clicks.finish,
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
    // approvals are written by their repository (packages/db), the decision by applyDecision's one statement
    setLastError: approvals.setLastError,
    async createPending(portalId, approvalId) {
      const row = await one<{ id: string }>(
        'SELECT id FROM approvals WHERE id = $1 AND portal_id = $2 AND activity_id IS NULL',
        [approvalId, portalId],
      );
      return row !== null;
    },
    async portalStatus(portalId) {
      const row = await one<{ status: ClickPortal['status'] }>(
        'SELECT status::text AS status FROM portals WHERE id = $1',
        [portalId],
      );
      return row?.status ?? null;
    },
  };
}
