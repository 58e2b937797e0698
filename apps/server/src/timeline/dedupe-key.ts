import { createHash } from 'node:crypto';

/**
 * Bitrix24 gives no delivery id, so a delivery is identified by what it says: portal, activity,
 * action, the action's params, the clicking user and the queue timestamp. The same delivery
 * posted twice yields the same key; two real clicks differ at least in `ts` or user.
 */
export function timelineDedupeKey(d: {
  memberId: string;
  activityId: number;
  actionId: string;
  userId: number;
  ts: number | undefined;
  params: Record<string, string>;
}): string {
  const params = Object.keys(d.params)
    .sort()
    .map((k) => [k, d.params[k]]);
  const canonical = JSON.stringify([d.memberId, d.activityId, d.actionId, d.userId, d.ts ?? null, params]);
  return createHash('sha256').update(canonical).digest('hex');
}
