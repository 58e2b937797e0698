import { createHash } from 'node:crypto';

/**
 * Bitrix24 gives no delivery id, so a delivery is identified by what it says: portal, activity,
 * action, the action's params, the clicking user, the queue timestamp and the access token issued
 * for the delivery. The same delivery posted twice yields the same key.
 *
 * `ts` has one-second resolution, so it alone cannot tell apart two real clicks of one user within a
 * second (e.g. Approve again right after an error state): wrongly merged, the second click would be
 * dropped and its card stay locked. The delivery's access token separates them whenever the portal
 * issued a new one; a replayed body carries the same token. Merging wrongly freezes a card, while
 * not merging costs one idempotent extra update, so any doubt errs towards "not a duplicate".
 * Only a hash of the token is kept.
 */
export function timelineDedupeKey(d: {
  memberId: string;
  activityId: number;
  actionId: string;
  userId: number;
  ts: number | undefined;
  params: Record<string, string>;
  accessToken?: string | undefined;
}): string {
  const params = Object.keys(d.params)
    .sort()
    .map((k) => [k, d.params[k]]);
  const canonical = JSON.stringify([
    d.memberId,
    d.activityId,
    d.actionId,
    d.userId,
    d.ts ?? null,
    params,
    d.accessToken ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
