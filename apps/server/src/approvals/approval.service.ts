import { randomUUID } from 'node:crypto';
import { AppError, type Logger, withDeadline } from '@b24app/core';
import { type ApprovalDetails, loadApprovalDetails } from '@b24app/approvals';
import { type CallbackAddressPolicy, checkCallbackUrl, type ResolveHost } from '@b24app/callbacks';
import type { Approval, ApprovalsRepository, Db } from '@b24app/db';
import { Bitrix24Error, type Bitrix24ErrorKind } from '@b24app/bitrix24';
import type { ApprovalCreateProducer } from '@b24app/jobs';
import { fromBitrix24 } from '../http/upstream-errors.js';
import type { CreateApprovalInput } from './approval.schemas.js';
import type { ApprovalCreatedWaiter } from './approval-created-waiter.js';

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
  /**
   * Decision callbacks: which addresses a callbackUrl may reach, and whether API_SIGNING_SECRET is set (without
   * it an API_TOKEN approval's callback could not be signed, so it is refused at create).
   */
  callbacks?: { policy: CallbackAddressPolicy; operatorCanSign: boolean; resolve?: ResolveHost };
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

  /** Before anything is recorded: a refused callbackUrl creates nothing. */
  async function checkCallback(url: string, apiKeyId: string | null) {
    const c = deps.callbacks ?? { policy: { allowLoopback: false }, operatorCanSign: false };
    if (!apiKeyId && !c.operatorCanSign) {
      throw new AppError(
        'CALLBACK_URL_REFUSED',
        'callbackUrl needs a signing secret: set API_SIGNING_SECRET for approvals created with API_TOKEN, or use a portal API key',
      );
    }
    await checkCallbackUrl(url, c.policy, c.resolve);
  }

  return {
    async create(input) {
      const portal = await db.portal.findUnique({ where: { memberId: input.memberId.toLowerCase() } });
      if (portal?.status !== 'ACTIVE') {
        throw new AppError('PORTAL_NOT_INSTALLED', 'the app is not installed on this portal');
      }
      if (input.callbackUrl) await checkCallback(input.callbackUrl, input.apiKeyId ?? null);
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
        callbackUrl: input.callbackUrl ?? null,
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
      const details = await loadApprovalDetails(db, id, scope);
      if (!details) throw new AppError('NOT_FOUND', 'no such approval');
      return details;
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
