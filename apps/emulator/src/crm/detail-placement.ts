import type { PlacementBinding } from '../state/model.js';

// The "button above the timeline" placement of a CRM item's card (CRM_XXX_DETAIL_ACTIVITY,
// CRM_DYNAMIC_XXX_DETAIL_ACTIVITY): which code an item's card offers, and the binding's title in a language.

const STATIC: Record<number, string> = {
  1: 'LEAD',
  2: 'DEAL',
  3: 'CONTACT',
  4: 'COMPANY',
  7: 'QUOTE',
  31: 'SMART_INVOICE',
};

/** The placement code of an item's timeline menu; smart processes (entityTypeId ≥ 128) are CRM_DYNAMIC_<id>_…. */
export function detailActivityPlacement(entityTypeId: number): string | null {
  const name = STATIC[entityTypeId] ?? (entityTypeId >= 128 ? `DYNAMIC_${entityTypeId}` : null);
  return name ? `CRM_${name}_DETAIL_ACTIVITY` : null;
}

/** LANG_ALL[lang].TITLE, else TITLE, else the fallback (Bitrix24 shows the app's name for an untitled widget). */
export function placementTitle(p: PlacementBinding, lang: string, fallback: string): string {
  const own = p.langAll[lang];
  const localized = own && typeof own === 'object' ? (own as Record<string, unknown>).TITLE : undefined;
  if (typeof localized === 'string' && localized.trim()) return localized;
  return p.title.trim() || fallback;
}
