import { approvalActivityPayload, ORIGINATOR_ID } from '@b24app/approvals';
import { AppError, type Logger } from '@b24app/core';
import type { Approval, Db } from '@b24app/db';
import { isBitrix24Error, type PortalClient, type PortalClients } from '@b24app/bitrix24';
import type { CreateApprovalInput } from './approval.schemas.js';

/** The activity our add created for this approval, found by the originId we gave it; null when none. */
async function findActivityOf(client: PortalClient, approvalId: string): Promise<number | null> {
  const rows = await client.call<{ ID: string | number }[]>('crm.activity.list', {
    filter: { ORIGINATOR_ID, ORIGIN_ID: approvalId, PROVIDER_ID: 'CONFIGURABLE_REST_APP' },
    select: ['ID'],
  });
  const id = Number(rows?.[0]?.ID);
  return Number.isInteger(id) && id > 0 ? id : null;
}

export interface ApprovalService {
  create(input: CreateApprovalInput): Promise<{ approval: Approval; created: boolean }>;
  get(id: string): Promise<ApprovalDetails>;
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
  lastError: string | null;
  createdAt: string;
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
 * Creates approval activities. The row is written first (it is what the idempotency key protects),
 * then `crm.activity.configurable.add`, which is never retried blindly: a retry of the same key
 * finds the row and only re-attempts the add while no activity id was recorded.
 */
export function createApprovalService(deps: { db: Db; clients: PortalClients; logger: Logger }): ApprovalService {
  const { db } = deps;

  async function findOrCreateRow(
    portalId: string,
    input: CreateApprovalInput,
  ): Promise<{ row: Approval; created: boolean }> {
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
    };
    if (!input.idempotencyKey) return { row: await db.approval.create({ data }), created: true };
    const key = { portalId_idempotencyKey: { portalId, idempotencyKey: input.idempotencyKey } };
    const existing = await db.approval.findUnique({ where: key });
    if (existing) return { row: existing, created: false };
    try {
      return { row: await db.approval.create({ data }), created: true };
    } catch (e) {
      // A concurrent request with the same key won the insert.
      const raced = await db.approval.findUnique({ where: key });
      if (raced) return { row: raced, created: false };
      throw e;
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
      const { row, created } = await findOrCreateRow(portal.id, input);
      if (row.activityId !== null) return { approval: row, created: false };
      if (row.ownerTypeId !== input.ownerTypeId || row.ownerId !== input.ownerId) {
        throw new AppError('CONFLICT', 'this idempotency key was used for another CRM item');
      }

      const payload = approvalActivityPayload(row, {
        badgeCode: portal.settings?.badgeCode ?? null,
        lang: portal.settings?.language ?? 'en',
        iconCode: portal.settings?.iconCode ?? null,
        logoCode: portal.settings?.logoCode ?? null,
      });
      const client = await deps.clients.get(portal.memberId);
      // A retry of a row whose add may have happened (lost answer): look before adding again.
      let activityId = created ? null : await findActivityOf(client, row.id);
      if (activityId === null) {
        try {
          const result = await client.call<{ activity: { id: number } }>(
            'crm.activity.configurable.add',
            {
              ownerTypeId: row.ownerTypeId,
              ownerId: row.ownerId,
              fields: { ...payload.fields, originatorId: ORIGINATOR_ID, originId: row.id },
              layout: payload.layout,
            },
            { idempotent: false },
          );
          activityId = Number(result.activity.id);
        } catch (e) {
          // Timeout or 5xx after sending: the portal may have created it. Our originId tells.
          const found =
            isBitrix24Error(e) && e.maybeApplied ? await findActivityOf(client, row.id).catch(() => null) : null;
          if (found === null) {
            // Without a key nobody can retry this row: remove it so it does not linger as a ghost.
            if (!input.idempotencyKey && created) await db.approval.delete({ where: { id: row.id } }).catch(() => {});
            throw e;
          }
          activityId = found;
        }
      }
      // The portal just gave this id to our new activity: a row still holding it is stale (its activity is
      // gone; an emulator reset or a restored portal reuses ids), so it lets go instead of failing the create.
      const [, approval] = await db.$transaction([
        db.approval.updateMany({
          where: { portalId: row.portalId, activityId, NOT: { id: row.id } },
          data: { activityId: null },
        }),
        db.approval.update({ where: { id: row.id }, data: { activityId } }),
      ]);
      deps.logger.info({ approvalId: row.id, activityId, memberId: portal.memberId }, 'approval created');
      return { approval, created: true };
    },

    async get(id) {
      const a = await db.approval.findUnique({
        where: { id },
        include: { portal: { select: { memberId: true } } },
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
        lastError: a.lastError,
        createdAt: a.createdAt.toISOString(),
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
