import { randomUUID } from 'node:crypto';
import { AppError, type Logger } from '@b24app/core';
import type { Approval, ApprovalsRepository, Db } from '@b24app/db';
import { Bitrix24Error, type Bitrix24ErrorKind } from '@b24app/bitrix24';
import type { ApprovalCreateProducer } from '@b24app/jobs';
import { fromBitrix24 } from '../http/upstream-errors.js';
import type { CreateApprovalInput } from './approval.schemas.js';
import type { ApprovalCreatedWaiter } from './approval-created-waiter.js';
import { creationView, deliveriesView } from './approval-outbox-view.js';

/**
 * What a create answered: `created` (201) when the activity of the row this request recorded (or handed to the
 * job again) came within the wait; `existing` (200) when the key's activity exists (an earlier or concurrent
 * request with the same key made it); `creating` (202) when the creation job has not added it yet.
 */
export type CreateOutcome = 'created' | 'existing' | 'creating';

export interface ApprovalService {
  create(input: CreateApprovalInput): Promise<{ approval: Approval; outcome: CreateOutcome }>;
  /**
   * `scope.portalId`: only an approval of that portal (a portal key's read); another one is NOT_FOUND. `waitMs`:
   * while the approval is being created, wait up to that long for its activity (or the job's failure).
   */
  get(id: string, scope?: { portalId?: string }, opts?: { waitMs?: number }): Promise<ApprovalDetails>;
}

export interface ApprovalServiceDeps {
  db: Db;
  approvals: Pick<ApprovalsRepository, 'insertForRequest' | 'requestCreate' | 'discardFailedCreate'>;
  producer: Pick<ApprovalCreateProducer, 'enqueue'>;
  waiter: Pick<ApprovalCreatedWaiter, 'waitFor'>;
  logger: Logger;
  /** How long a create waits for the job's activity before answering 202. Default 5 s. */
  waitMs?: number;
  /** The enqueue's deadline (Redis away): past it the worker's creation relay hands the row to a job. Default 500 ms. */
  enqueueTimeoutMs?: number;
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
 * Creates approvals: the row is recorded first (what the idempotency key protects, one statement on the unique
 * key, so concurrent requests with one key get one row) and handed to the creation job, which adds the activity
 * as fast as the portal's bucket allows and never blindly retries an add whose answer was lost. The request then
 * waits a short while for the activity: a burst is accepted (202), never refused by the portal's bucket.
 */
export function createApprovalService(deps: ApprovalServiceDeps): ApprovalService {
  const { db } = deps;
  const waitMs = deps.waitMs ?? 5_000;
  const enqueueTimeoutMs = deps.enqueueTimeoutMs ?? 500;

  const readRow = (id: string) => db.approval.findUnique({ where: { id } });
  /** Nothing more to wait for: the activity exists, the job gave up, or the row is not the job's (or is gone). */
  const settled = (a: Approval | null) =>
    a === null || a.activityId !== null || a.createFailedAt !== null || a.createRequestedAt === null;

  async function enqueue(approvalId: string): Promise<void> {
    try {
      await withDeadline(deps.producer.enqueue(approvalId), enqueueTimeoutMs);
    } catch (err) {
      // Recorded but not enqueued: the worker's creation relay hands it to a job. The create is not lost.
      deps.logger.warn({ approvalId, err: { message: (err as Error).message } }, 'approval create deferred to relay');
    }
  }

  return {
    async create(input) {
      const portal = await db.portal.findUnique({ where: { memberId: input.memberId.toLowerCase() } });
      if (portal?.status !== 'ACTIVE') {
        throw new AppError('PORTAL_NOT_INSTALLED', 'the app is not installed on this portal');
      }
      const { approval: row, inserted } = await deps.approvals.insertForRequest({
        id: randomUUID(),
        portalId: portal.id,
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
      });
      if (row.ownerTypeId !== input.ownerTypeId || row.ownerId !== input.ownerId) {
        throw new AppError('CONFLICT', 'this idempotency key was used for another CRM item');
      }
      if (row.activityId !== null) return { approval: row, outcome: 'existing' };
      // The key again after the job gave up (or on a row from before creates were the job's): this request asks anew.
      const ours = inserted || (await deps.approvals.requestCreate(row.id));
      // Every request enqueues: a no-op while the row's job is live (the job id is the approval's).
      await enqueue(row.id);

      const now = await deps.waiter.waitFor(row.id, () => readRow(row.id), settled, waitMs);
      if (!now) throw new AppError('NOT_FOUND', 'the approval of this idempotency key was deleted');
      const log = { approvalId: row.id, memberId: portal.memberId };
      if (now.activityId !== null) {
        const outcome = ours ? 'created' : 'existing';
        deps.logger.info({ ...log, activityId: now.activityId, outcome }, 'approval created');
        return { approval: now, outcome };
      }
      if (now.createFailedAt !== null) {
        // Answered as the portal's refusal; a row nobody can name again (no key) goes, the rest stays retryable.
        if (!now.idempotencyKey) await deps.approvals.discardFailedCreate(now.id);
        throw refusalOf(now);
      }
      deps.logger.info(log, 'approval accepted: the creation job adds it');
      return { approval: now, outcome: 'creating' };
    },

    async get(id, scope = {}, opts = {}) {
      if (opts.waitMs) {
        const first = await db.approval.findFirst({
          where: { id, ...(scope.portalId ? { portalId: scope.portalId } : {}) },
        });
        if (first && !settled(first)) await deps.waiter.waitFor(id, () => readRow(id), settled, opts.waitMs);
      }
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

/** The job's failure as the error the portal's answer maps to (the same mapping as any portal call's). */
function refusalOf(a: Approval): unknown {
  const kinds: readonly string[] = ['NOT_FOUND', 'VALIDATION', 'ACCESS_DENIED', 'TRANSIENT'];
  const kind = (kinds.includes(a.createErrorKind ?? '') ? a.createErrorKind : 'TRANSIENT') as Bitrix24ErrorKind;
  return fromBitrix24(
    new Bitrix24Error({ kind, method: 'crm.activity.configurable.add', message: a.createError ?? 'the add failed' }),
  );
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  p.catch(() => {}); // a late rejection after the deadline is harmless
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`enqueue took longer than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
