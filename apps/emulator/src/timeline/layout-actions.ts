import { isRecord } from '../rest/params.js';

// Finds the actions of a stored LayoutDto: where each restEvent sits (footer button, menu item, tag, title,
// logo, link block), so a click can be resolved and locks know which button to disable.

export type ActionLocation = 'button' | 'menu' | 'tag' | 'title' | 'logo' | 'link';

export interface LocatedAction {
  location: ActionLocation;
  /** key of the button / menu item / tag / block path */
  key: string;
  action: Record<string, unknown>;
}

function entries(v: unknown): [string, unknown][] {
  if (Array.isArray(v)) return v.map((x, i) => [String(i), x]);
  return isRecord(v) ? Object.entries(v) : [];
}

function blockActions(blocks: unknown, prefix: string, out: LocatedAction[]): void {
  for (const [key, block] of entries(blocks)) {
    if (!isRecord(block) || !isRecord(block.properties)) continue;
    const props = block.properties;
    const path = prefix ? `${prefix}.${key}` : key;
    if (block.type === 'link' && isRecord(props.action))
      out.push({ location: 'link', key: path, action: props.action });
    if (block.type === 'withTitle' && isRecord(props.block)) blockActions({ [key]: props.block }, prefix, out);
    if (block.type === 'lineOfBlocks') blockActions(props.blocks, path, out);
  }
}

/** Every action in the layout, footer buttons first (the usual click target). */
export function layoutActions(layout: Record<string, unknown>): LocatedAction[] {
  const out: LocatedAction[] = [];
  const footer = isRecord(layout.footer) ? layout.footer : {};
  for (const [key, b] of entries(footer.buttons)) {
    if (isRecord(b) && isRecord(b.action)) out.push({ location: 'button', key, action: b.action });
  }
  const menu = isRecord(footer.menu) ? footer.menu : {};
  for (const [key, m] of entries(menu.items)) {
    if (isRecord(m) && isRecord(m.action)) out.push({ location: 'menu', key, action: m.action });
  }
  const header = isRecord(layout.header) ? layout.header : {};
  if (isRecord(header.titleAction)) out.push({ location: 'title', key: 'title', action: header.titleAction });
  for (const [key, t] of entries(header.tags)) {
    if (isRecord(t) && isRecord(t.action)) out.push({ location: 'tag', key, action: t.action });
  }
  const body = isRecord(layout.body) ? layout.body : {};
  if (isRecord(body.logo) && isRecord(body.logo.action))
    out.push({ location: 'logo', key: 'logo', action: body.logo.action });
  blockActions(body.blocks, '', out);
  return out;
}

export function findRestEvent(
  layout: Record<string, unknown>,
  actionId: string,
  location?: ActionLocation,
  key?: string,
) {
  return layoutActions(layout).find(
    (a) =>
      a.action.type === 'restEvent' &&
      a.action.id === actionId &&
      (location === undefined || a.location === location) &&
      (key === undefined || a.key === key),
  );
}

/** actionParams as the event carries them: scalars cast to strings (ActionDto does this on save). */
export function stringParams(actionParams: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of entries(actionParams)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      out[k] = typeof v === 'boolean' ? (v ? '1' : '') : String(v);
  }
  return out;
}
