/**
 * An approval as the integrations API shows it (GET /api/v1/approvals/:id), built in one place: the server
 * answers it and the worker POSTs the same JSON in a decision callback (`{"type":"approval.decided","approval":…}`),
 * so a receiver and a poller read one shape.
 */
import type { Approval, ApprovalDelivery, Db } from '@b24app/db';

/**
 * What the APIs show of an approval's outbox: each delivery the decision owes (the robot's answer, the callback)
 * with its attempts and how it ended. A delivery refused for good (a timed-out run) stays visible with its reason.
 */
export function deliveriesView(rows: ApprovalDelivery[]) {
  return rows.map((d) => ({
    kind: d.kind,
    state: d.state.toLowerCase() as 'pending' | 'done' | 'failed',
    attempts: d.attempts,
    outcome: d.outcome,
    lastError: d.lastError,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
  }));
}

/** The creation job's progress (every create is the job's); null for a row from before creates were paced. */
export function creationView(a: Pick<Approval, 'createRequestedAt' | 'activityId' | 'createFailedAt' | 'createError'>) {
  if (!a.createRequestedAt) return null;
  return {
    state: a.activityId !== null ? 'done' : a.createFailedAt ? 'failed' : 'pending',
    error: a.createError,
  } as const;
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
  /** Where the decision is POSTed (null: no callback). */
  callbackUrl: string | null;
  createdAt: string;
  /** Robot-made approvals: the creation job's progress (null otherwise). */
  creation: ReturnType<typeof creationView>;
  /** What the decision owes (the robot's answer, the callback), with each delivery's attempts and end. */
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

/** The approval with what it shows; null when there is none (of `scope.portalId`, when given). */
export async function loadApprovalDetails(
  db: Db,
  id: string,
  scope: { portalId?: string } = {},
): Promise<ApprovalDetails | null> {
  const a = await db.approval.findFirst({
    where: { id, ...(scope.portalId ? { portalId: scope.portalId } : {}) },
    include: {
      portal: { select: { memberId: true } },
      deliveries: { orderBy: [{ createdAt: 'asc' }, { kind: 'asc' }] },
    },
  });
  if (!a) return null;
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
    callbackUrl: a.callbackUrl,
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
}
