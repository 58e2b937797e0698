import { randomUUID } from 'node:crypto';
import { addApprovalActivity as addActivity, approvalActivityPayload, findActivityOf } from '@b24app/approvals';
import { AppError, type Logger } from '@b24app/core';
import { type Approval, createApprovalsRepository, type Db } from '@b24app/db';
import type { PortalClients } from '@b24app/bitrix24';
import type { CreateApprovalInput } from './approval.schemas.js';
import { creationView, deliveriesView } from './approval-outbox-view.js';

/**
 * What a create answered: `created` (201) when this request's add made the activity; `existing` (200) when the
 * key's activity already exists (an earlier or concurrent request with the same key made it); `creating` (202)
 * when another request with the same key is still adding it after the wait.
 */
export type CreateOutcome = 'created' | 'existing' | 'creating';

export interface ApprovalService {
  create(input: CreateApprovalInput): Promise<{ approval: Approval; outcome: CreateOutcome }>;
  /** `scope.portalId`: only an approval of that portal (a portal key's read); another one is NOT_FOUND. */
  get(id: string, scope?: { portalId?: string }): Promise<ApprovalDetails>;
}

export interface ApprovalServiceOptions {
  /**
   * How long an add's claim on its row holds. Longer than the add can take (the client's attempts, each a slot
   * wait plus the request timeout), so only a crashed holder's claim lapses. Default 3 min.
   */
  claimTtlMs?: number;
  /** How long a request that finds its key's add in progress waits for it before answering 202. Default 5 s. */
  waitMs?: number;
  /** Poll interval of that wait. Default 100 ms. */
  pollMs?: number;
}

export interface ApprovalDetails {
  id: string;
  memberId: string;
  ownerTypeId: number;
  ownerId: number;
  activityId: number | null;
  title: string;
  state: 'pending' | 'approved' | 'rejected';
  decidedBy: { id: number; name: string | null } | null;
  decidedAt: string | null;
  /** The decider's comment (a reject's reason, an approve's note). */
  comment: string | null;
  lastError: string | null;
  createdAt: string;
  /** Robot-made approvals: the creation job's progress (null otherwise). */
  creation: ReturnType<typeof creationView>;
  /** What the decision owes (the robot's answer, …), with how each delivery ended. */
  deliveries: ReturnType<typeof deliveriesView>;
  clicks: {
    id: string;
    actionId: string;
    userId: number;
    state: string;
    outcome: string | null;
    receivedAt: string;
    enqueuedAt: string | null;
    processingStartedAt: string | null;
    updatedActivityAt: string | null;
    finishedAt: string | null;
  }[];
}

/**
 * Creates approval activities. The row is written first (it is what the idempotency key protects), then
 * `crm.activity.configurable.add`, which is never retried blindly. Only the request holding the row's claim
 * (taken atomically, with an expiry) adds; another request with the same key waits for it, or answers
 * `creating`. A request that takes over a row whose add may have run looks for the activity before adding.
 */
export function createApprovalService(
  deps: { db: Db; clients: PortalClients; logger: Logger } & ApprovalServiceOptions,
): ApprovalService {
  const { db } = deps;
  const settle = createApprovalsRepository(db);
  const claimTtlMs = deps.claimTtlMs ?? 180_000;
  const waitMs = deps.waitMs ?? 5_000;
  const pollMs = deps.pollMs ?? 100;
  const claimUntil = () => new Date(Date.now() + claimTtlMs);

  /** The row of this create, inserted with our claim on it, or the existing row of its idempotency key. */
  async function findOrInsertRow(
    portalId: string,
    input: CreateApprovalInput,
    claimId: string,
  ): Promise<{ row: Approval; inserted: boolean }> {
    const data = {
      portalId,
      ownerTypeId: input.ownerTypeId,
      ownerId: input.ownerId,
      title: input.title,
      description: input.description ?? null,
      responsibleId: input.responsibleId ?? null,
      requesterId: input.requester?.id ?? null,
      requesterName: input.requester?.name ?? null,
      deadline: input.deadline ? new Date(input.deadline) : null,
      idempotencyKey: input.idempotencyKey ?? null,
      apiKeyId: input.apiKeyId ?? null,
      addClaimId: claimId,
      addClaimUntil: claimUntil(),
    };
    if (!input.idempotencyKey) return { row: await db.approval.create({ data }), inserted: true };
    const key = { portalId_idempotencyKey: { portalId, idempotencyKey: input.idempotencyKey } };
    const existing = await db.approval.findUnique({ where: key });
    if (existing) return { row: existing, inserted: false };
    try {
      return { row: await db.approval.create({ data }), inserted: true };
    } catch (e) {
      // A concurrent request with the same key won the insert.
      const raced = await db.approval.findUnique({ where: key });
      if (raced) return { row: raced, inserted: false };
      throw e;
    }
  }

  /** Takes the row's claim if its activity is not settled and nobody holds a live claim; one UPDATE, so atomic. */
  async function takeClaim(id: string, claimId: string): Promise<boolean> {
    const { count } = await db.approval.updateMany({
      where: { id, activityId: null, OR: [{ addClaimId: null }, { addClaimUntil: { lt: new Date() } }] },
      data: { addClaimId: claimId, addClaimUntil: claimUntil() },
    });
    return count === 1;
  }

  const releaseClaim = (id: string, claimId: string) =>
    db.approval.updateMany({ where: { id, addClaimId: claimId }, data: { addClaimId: null, addClaimUntil: null } });

  /**
   * Takes the claim of a row someone else inserted, waiting (bounded) while another request holds it: null once
   * we hold it (free, given up after a failed add, or lapsed), else the row as it stands when its activity
   * exists or the wait is over.
   */
  async function claimOrAwait(id: string, claimId: string): Promise<Approval | null> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (await takeClaim(id, claimId)) return null;
      const row = await db.approval.findUnique({ where: { id } });
      if (!row) throw new AppError('NOT_FOUND', 'the approval of this idempotency key was deleted');
      if (row.activityId !== null || Date.now() >= deadline) return row;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  return {
    async create(input) {
      const portal = await db.portal.findUnique({
        where: { memberId: input.memberId.toLowerCase() },
        include: { settings: true },
      });
      if (portal?.status !== 'ACTIVE') {
        throw new AppError('PORTAL_NOT_INSTALLED', 'the app is not installed on this portal');
      }
      const claimId = randomUUID();
      const { row, inserted } = await findOrInsertRow(portal.id, input, claimId);
      if (row.ownerTypeId !== input.ownerTypeId || row.ownerId !== input.ownerId) {
        throw new AppError('CONFLICT', 'this idempotency key was used for another CRM item');
      }
      if (row.activityId !== null) return { approval: row, outcome: 'existing' };
      if (!inserted) {
        const other = await claimOrAwait(row.id, claimId);
        if (other) return { approval: other, outcome: other.activityId !== null ? 'existing' : 'creating' };
      }

      // We hold the claim: only we add for this row until we settle it or the claim lapses.
      const payload = approvalActivityPayload(row, {
        badgeCode: portal.settings?.badgeCode ?? null,
        lang: portal.settings?.language ?? 'en',
        iconCode: portal.settings?.iconCode ?? null,
        logoCode: portal.settings?.logoCode ?? null,
        pingOffsets: portal.settings?.pingOffsets ?? null,
        rejectCommentRequired: portal.settings?.rejectCommentRequired ?? false,
      });
      let activityId: number | null = null;
      let outcome: CreateOutcome = 'created';
      try {
        const client = await deps.clients.get(portal.memberId);
        // A row someone added for before (lost answer, crashed holder) may have its activity: look first.
        activityId = inserted ? null : await findActivityOf(client, row.id);
        if (activityId !== null) outcome = 'existing';
        else activityId = await addActivity(client, row, payload);
      } catch (e) {
        // Without a key nobody can retry this row: remove it so it does not linger as a ghost. With a key, let
        // go of the claim so the next request with it (or one waiting now) adds.
        if (!input.idempotencyKey) await db.approval.delete({ where: { id: row.id } }).catch(() => {});
        else await releaseClaim(row.id, claimId).catch(() => {});
        throw e;
      }
      // The one place an activity id is stored (a stale row holding the id lets go; the approver's notification
      // is owed in the same statement). Null: another add settled the row first.
      const approval =
        (await settle.settleActivity(row.id, activityId)) ??
        (await db.approval.findUniqueOrThrow({ where: { id: row.id } }));
      deps.logger.info({ approvalId: row.id, activityId, memberId: portal.memberId, outcome }, 'approval created');
      return { approval, outcome };
    },

    async get(id, scope = {}) {
      const a = await db.approval.findFirst({
        where: { id, ...(scope.portalId ? { portalId: scope.portalId } : {}) },
        include: {
          portal: { select: { memberId: true } },
          deliveries: { orderBy: [{ createdAt: 'asc' }, { kind: 'asc' }] },
        },
      });
      if (!a) throw new AppError('NOT_FOUND', 'no such approval');
      const clicks = a.activityId
        ? await db.timelineEvent.findMany({
            where: { portalId: a.portalId, activityId: a.activityId },
            orderBy: { receivedAt: 'asc' },
            take: 100,
          })
        : [];
      const iso = (d: Date | null) => d?.toISOString() ?? null;
      return {
        id: a.id,
        memberId: a.portal.memberId,
        ownerTypeId: a.ownerTypeId,
        ownerId: a.ownerId,
        activityId: a.activityId,
        title: a.title,
        state: a.state.toLowerCase() as ApprovalDetails['state'],
        decidedBy: a.decidedById ? { id: a.decidedById, name: a.decidedByName } : null,
        decidedAt: iso(a.decidedAt),
        comment: a.decisionComment,
        lastError: a.lastError,
        createdAt: a.createdAt.toISOString(),
        creation: creationView(a),
        deliveries: deliveriesView(a.deliveries),
        clicks: clicks.map((c) => ({
          id: c.id,
          actionId: c.actionId,
          userId: c.userId,
          state: c.state.toLowerCase(),
          outcome: c.outcome,
          receivedAt: c.receivedAt.toISOString(),
          enqueuedAt: iso(c.enqueuedAt),
          processingStartedAt: iso(c.processingStartedAt),
          updatedActivityAt: iso(c.updatedActivityAt),
          finishedAt: iso(c.finishedAt),
        })),
      };
    },
  };
}
