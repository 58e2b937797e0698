import type { Action, ContentBlocks, Layout, RestEventAction, SimpleContentBlock } from '@b24app/layout';

// Finds the actions of a stored (validated) LayoutDto: where each action sits (footer button, menu item, tag,
// title, logo, link block), so a click can be resolved and locks know which button to disable.

export type ActionLocation = 'button' | 'menu' | 'tag' | 'title' | 'logo' | 'link';

export interface LocatedAction<A extends Action = Action> {
  location: ActionLocation;
  /** key of the button / menu item / tag / block path */
  key: string;
  action: A;
}

function blockActions(
  blocks: ContentBlocks | Record<string, SimpleContentBlock>,
  prefix: string,
  out: LocatedAction[],
): void {
  for (const [key, block] of Object.entries(blocks)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (block.type === 'link') out.push({ location: 'link', key: path, action: block.properties.action });
    // a withTitle's inner block answers for the withTitle's own key
    if (block.type === 'withTitle') blockActions({ [key]: block.properties.block }, prefix, out);
    if (block.type === 'lineOfBlocks') blockActions(block.properties.blocks, path, out);
  }
}

/** Every action in the layout, footer buttons first (the usual click target). */
export function layoutActions(layout: Layout): LocatedAction[] {
  const out: LocatedAction[] = [];
  for (const [key, b] of Object.entries(layout.footer?.buttons ?? {})) {
    out.push({ location: 'button', key, action: b.action });
  }
  for (const [key, m] of Object.entries(layout.footer?.menu?.items ?? {})) {
    out.push({ location: 'menu', key, action: m.action });
  }
  const { header, body } = layout;
  if (header.titleAction) out.push({ location: 'title', key: 'title', action: header.titleAction });
  for (const [key, t] of Object.entries(header.tags ?? {})) {
    if (t.action) out.push({ location: 'tag', key, action: t.action });
  }
  if (body.logo.action) out.push({ location: 'logo', key: 'logo', action: body.logo.action });
  blockActions(body.blocks, '', out);
  return out;
}

function isRestEvent(a: LocatedAction): a is LocatedAction<RestEventAction> {
  return a.action.type === 'restEvent';
}

export function findRestEvent(
  layout: Layout,
  actionId: string,
  location?: ActionLocation,
  key?: string,
): LocatedAction<RestEventAction> | undefined {
  return layoutActions(layout)
    .filter(isRestEvent)
    .find(
      (a) =>
        a.action.id === actionId &&
        (location === undefined || a.location === location) &&
        (key === undefined || a.key === key),
    );
}
