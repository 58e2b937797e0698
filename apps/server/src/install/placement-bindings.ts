import type { Logger } from '@b24app/core';
import type { RestCaller } from './event-bindings.js';

/**
 * "Request approval" in the menu above a CRM item's timeline: the CRM_XXX_DETAIL_ACTIVITY placements (leads,
 * deals, contacts, companies) and CRM_DYNAMIC_<entityTypeId>_DETAIL_ACTIVITY of every smart process the portal has
 * (crm.type.list), all bound to one handler of ours. Reconciled like the event handlers: at install and on
 * ONAPPUPDATE (and every reinstall), add what is missing, re-bind what changed (title, handler), remove what is
 * ours and obsolete (an old APP_URL, a deleted smart process). placement.get lists only our app's bindings, and
 * Bitrix24 refuses a second bind of the same placement and handler, so a concurrent run cannot duplicate one.
 */

export const REQUEST_APPROVAL_PATH = '/b24/placement/request-approval';

export const REQUEST_APPROVAL_TEXT = {
  en: { TITLE: 'Request approval', DESCRIPTION: 'Ask a colleague to approve or reject, on this item’s timeline' },
  ru: {
    TITLE: 'Запросить согласование',
    DESCRIPTION: 'Попросить коллегу согласовать или отклонить, в таймлайне этого элемента',
  },
} as const;

/** The CRM object types with a "button above the timeline", by placement name (CRM_<name>_DETAIL_ACTIVITY). */
const STATIC_OWNER_TYPES: Record<string, number> = { LEAD: 1, DEAL: 2, CONTACT: 3, COMPANY: 4 };
const DETAIL_ACTIVITY = /^CRM_(LEAD|DEAL|CONTACT|COMPANY|DYNAMIC_(\d{1,9}))_DETAIL_ACTIVITY$/;
const FIRST_SMART_PROCESS_TYPE = 128;

/** The CRM entity type (ownerTypeId) of one of our placements; null for any other placement code. */
export function ownerTypeOfPlacement(placement: string): number | null {
  const m = DETAIL_ACTIVITY.exec(placement.toUpperCase());
  if (!m) return null;
  if (m[2]) {
    const id = Number(m[2]);
    return id >= FIRST_SMART_PROCESS_TYPE ? id : null;
  }
  return STATIC_OWNER_TYPES[m[1] ?? ''] ?? null;
}

/** What placement.get answers for each handler (older portals leave out langAll). */
interface BoundPlacement {
  placement: string;
  handler: string;
  title?: string | null;
  langAll?: Record<string, { TITLE?: string | null } | undefined> | unknown[] | null;
}

const SMART_PROCESS_PAGES = 20;

/** The portal's smart processes' entity type ids, or null when the portal would not say (no list, no rights). */
async function smartProcessTypes(client: RestCaller, logger: Logger): Promise<number[] | null> {
  const ids: number[] = [];
  try {
    for (let page = 0; page < SMART_PROCESS_PAGES; page++) {
      const r = await client.call<{ types?: { entityTypeId?: number | string }[] }>('crm.type.list', {
        select: ['entityTypeId'],
        start: page * 50,
      });
      const types = r?.types ?? [];
      for (const t of types) {
        const id = Number(t.entityTypeId);
        if (Number.isInteger(id) && id >= FIRST_SMART_PROCESS_TYPE) ids.push(id);
      }
      if (types.length < 50) return ids;
    }
    return ids;
  } catch (e) {
    // Without the list, smart processes keep the placements they have (nothing is removed on a guess).
    logger.warn(
      { err: { message: (e as Error).message } },
      'smart processes not listed: their placements are left as they are',
    );
    return null;
  }
}

const titleOf = (h: BoundPlacement, lang: 'ru'): string | null => {
  if (!h.langAll || Array.isArray(h.langAll)) return null;
  const own = (h.langAll as Record<string, { TITLE?: string | null } | undefined>)[lang];
  return typeof own?.TITLE === 'string' ? own.TITLE : null;
};

/** Our binding as it should be: the handler and both titles (a portal that lists no langAll is not compared on it). */
const isCurrent = (h: BoundPlacement, handler: string) =>
  h.handler === handler &&
  (h.title ?? '') === REQUEST_APPROVAL_TEXT.en.TITLE &&
  (titleOf(h, 'ru') === null || titleOf(h, 'ru') === REQUEST_APPROVAL_TEXT.ru.TITLE);

export async function reconcilePlacementBindings(
  client: RestCaller,
  appUrl: string,
  logger: Logger,
): Promise<{ bound: string[]; unbound: string[] }> {
  const handler = `${appUrl}${REQUEST_APPROVAL_PATH}`;
  const types = await smartProcessTypes(client, logger);
  const wanted = new Set([
    ...Object.keys(STATIC_OWNER_TYPES).map((name) => `CRM_${name}_DETAIL_ACTIVITY`),
    ...(types ?? []).map((id) => `CRM_DYNAMIC_${id}_DETAIL_ACTIVITY`),
  ]);
  const current = ((await client.call<BoundPlacement[]>('placement.get')) ?? []).filter((h) =>
    DETAIL_ACTIVITY.test(String(h.placement).toUpperCase()),
  );
  const bound: string[] = [];
  const unbound: string[] = [];

  for (const h of current) {
    const placement = String(h.placement).toUpperCase();
    const dynamic = placement.startsWith('CRM_DYNAMIC_');
    // A smart process's placement is obsolete only when the portal listed its types and this one is gone.
    const obsolete = !wanted.has(placement) && (!dynamic || types !== null);
    if (!obsolete && isCurrent(h, handler)) continue;
    if (!obsolete && !wanted.has(placement)) continue;
    await client.call('placement.unbind', { PLACEMENT: placement, HANDLER: h.handler });
    unbound.push(placement);
  }
  const kept = new Set(current.filter((h) => isCurrent(h, handler)).map((h) => String(h.placement).toUpperCase()));
  for (const placement of wanted) {
    if (kept.has(placement)) continue;
    try {
      await client.call('placement.bind', {
        PLACEMENT: placement,
        HANDLER: handler,
        TITLE: REQUEST_APPROVAL_TEXT.en.TITLE,
        DESCRIPTION: REQUEST_APPROVAL_TEXT.en.DESCRIPTION,
        LANG_ALL: REQUEST_APPROVAL_TEXT,
      });
      bound.push(placement);
    } catch (e) {
      // Another process bound it between our placement.get and this call ("Handler already binded").
      if (!/already binded|already bound/i.test(String((e as Error).message))) throw e;
    }
  }
  if (bound.length || unbound.length) logger.info({ bound, unbound }, 'placements reconciled');
  return { bound, unbound };
}
