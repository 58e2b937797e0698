import type { Approval, ApprovalDelivery } from '@b24app/db';

/**
 * What the APIs show of an approval's outbox and creation job: each delivery the decision owes (the robot's
 * answer, later notifications and callbacks) with how it ended, and, for an approval left to the creation job,
 * whether its card exists yet. A delivery Bitrix24 refused (a timed-out run) stays visible here with its reason.
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
