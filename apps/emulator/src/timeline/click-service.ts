import { controlErrors } from '../control/control-error.js';
import type { EmulatorContext } from '../emulator-context.js';
import { dispatchEvent } from '../events/event-dispatcher.js';
import type { ActionParams } from '@b24app/layout';
import type { ConfigurableActivity, DeliveryLogEntry, LockKind, LockRecord, Portal } from '../state/model.js';
import { type ActionLocation, findRestEvent } from './layout-actions.js';

// A user clicking a restEvent action in the timeline: the record (loader) or button (disable) locks until
// crm.activity.configurable.update arrives, and ONCRMTIMELINEITEMACTION goes to the creating app only.

export interface ClickInput {
  activityId: number;
  actionId: string;
  userId?: number;
  /** restrict to one element (the UI knows which one was clicked) */
  location?: ActionLocation;
  key?: string;
  /** click even though the record or button is locked (a user cannot; a test may) */
  force?: boolean;
}

export interface ClickResult {
  lock: LockRecord | null;
  deliveries: Promise<DeliveryLogEntry[]>;
}

export function activeLocks(ctx: EmulatorContext, memberId: string, activityId: number): LockRecord[] {
  return ctx.state.locks.filter(
    (l) => l.memberId === memberId && l.activityId === activityId && l.releasedAt === undefined,
  );
}

export function releaseLocks(
  ctx: EmulatorContext,
  memberId: string,
  activityId: number,
  by: LockRecord['releasedBy'],
): void {
  const now = ctx.now();
  for (const l of activeLocks(ctx, memberId, activityId)) {
    l.releasedAt = now;
    l.durationMs = now - l.lockedAt;
    l.releasedBy = by;
  }
}

export function clickAction(ctx: EmulatorContext, portal: Portal, input: ClickInput): ClickResult {
  const activity = portal.activities.get(input.activityId);
  if (!activity) throw controlErrors.activityNotFound(input.activityId);
  const userId = input.userId ?? 1;
  if (!portal.users.has(userId)) throw controlErrors.userNotFound(userId);
  const found = findRestEvent(activity.layout, input.actionId, input.location, input.key);
  if (!found) throw controlErrors.actionNotFound(input.actionId);

  const locks = activeLocks(ctx, portal.memberId, activity.id);
  const blocked = locks.some((l) => l.kind === 'loader' || (found.location === 'button' && l.button === found.key));
  if (blocked && !input.force) throw controlErrors.locked();

  const animation = found.action.animationType;
  let kind: LockKind | null = null;
  if (animation === 'loader') kind = 'loader';
  // `disable` only blocks a footer button (the docs: "if the action is triggered by clicking a button")
  if (animation === 'disable' && found.location === 'button') kind = 'disable';
  const lock: LockRecord | null = kind
    ? {
        id: ++ctx.state.seq.lock,
        memberId: portal.memberId,
        activityId: activity.id,
        kind,
        actionId: input.actionId,
        button: found.location === 'button' ? found.key : null,
        userId,
        lockedAt: ctx.now(),
      }
    : null;
  if (lock) ctx.state.locks.push(lock);

  const deliveries = dispatchEvent(ctx, {
    memberId: portal.memberId,
    event: 'ONCRMTIMELINEITEMACTION',
    data: eventData(ctx, activity, input.actionId, found.action.actionParams, userId),
    actingUserId: userId,
    onlyClientId: activity.clientId,
  });
  return { lock, deliveries };
}

/** developer params first, then the system keys, which overwrite same-named developer keys in place (PHP order) */
function eventData(
  ctx: EmulatorContext,
  a: ConfigurableActivity,
  actionId: string,
  actionParams: ActionParams | undefined,
  userId: number,
) {
  // validation stored the values as strings, as the portal's ActionDto does
  const data: Record<string, string> = { ...actionParams };
  data.entityTypeId = String(a.ownerTypeId);
  data.entityId = String(a.ownerId);
  data.activityId = String(a.id);
  data.id = actionId;
  if (ctx.settings.sendUserIdInData) data.userId = String(userId);
  return data;
}

export function assertKnownPortal(ctx: EmulatorContext, memberId: string): Portal {
  const portal = ctx.state.portals.get(memberId);
  if (!portal) throw controlErrors.portalNotFound(memberId);
  return portal;
}
