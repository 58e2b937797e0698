import type { Badge, CrmItem, Portal } from '../state/model.js';

// The badge a kanban card shows: from the owner's open activities with a badgeCode, the most recently added one
// ("only the most recently added badge is displayed", and only until the activity is completed).

export function kanbanBadge(portal: Portal, item: CrmItem): Badge | undefined {
  let best: { id: number; badge: Badge } | undefined;
  for (const a of portal.activities.values()) {
    if (a.ownerTypeId !== item.entityTypeId || a.ownerId !== item.id || a.fields.completed || !a.fields.badgeCode)
      continue;
    const badge = portal.badges.get(a.fields.badgeCode);
    if (badge && (!best || a.id > best.id)) best = { id: a.id, badge };
  }
  return best?.badge;
}
