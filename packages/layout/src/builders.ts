// Small pure constructors for the common layout pieces. They only assemble objects (no validation, no I/O);
// validateLayout is the single judge, and the property tests check that what these build passes it.
import type {
  Action,
  ActionParams,
  OpenRestAppAction,
  RedirectAction,
  RestEventAction,
  SliderParams,
} from './action.schemas.js';
import type { AnimationType, ButtonType, Scope, TagType, TextColor, TextSize } from './catalogs.js';
import type {
  ContentBlock,
  DeadlineBlock,
  LargeTextBlock,
  LineOfBlocksBlock,
  LinkBlock,
  SimpleContentBlock,
  TextBlock,
  WithTitleBlock,
} from './content-block.schemas.js';
import type {
  Body,
  Footer,
  FooterButton,
  FooterMenu,
  Header,
  Icon,
  Layout,
  Logo,
  MenuItem,
  Tag,
} from './layout.schemas.js';
import type { TextWithTranslation } from './translation.js';

/** A keyed collection, or a list (keyed "0", "1", ... as the portal would key a JSON array). */
export type Keyed<T> = Readonly<Record<string, T>> | readonly T[];

/** Scalars the portal casts to strings; `undefined` entries are dropped so optional values can be spread in. */
export type ActionParamsInput = Readonly<Record<string, string | number | boolean | undefined>>;

function keyed<T>(items: Keyed<T>): Record<string, T> {
  return Array.isArray(items)
    ? Object.fromEntries(items.map((item, index) => [String(index), item]))
    : { ...(items as Record<string, T>) };
}

/** Drops undefined properties so built objects equal what validation returns (and JSON round-trips). */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function toActionParams(params: ActionParamsInput): ActionParams {
  // fromEntries (not assignment) so that every key becomes an own property.
  return Object.fromEntries(
    Object.entries(params)
      .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
      .map(([key, value]) => [key, typeof value === 'boolean' ? (value ? '1' : '') : String(value)]),
  );
}

// ---- actions

export function redirect(uri: string): RedirectAction {
  return { type: 'redirect', uri };
}

export function restEvent(
  id: string,
  options: { actionParams?: ActionParamsInput; animationType?: AnimationType } = {},
): RestEventAction {
  return compact({
    type: 'restEvent' as const,
    id,
    actionParams: options.actionParams && toActionParams(options.actionParams),
    animationType: options.animationType,
  });
}

export function openRestApp(
  options: { actionParams?: ActionParamsInput; sliderParams?: SliderParams } = {},
): OpenRestAppAction {
  return compact({
    type: 'openRestApp' as const,
    actionParams: options.actionParams && toActionParams(options.actionParams),
    sliderParams: options.sliderParams && compact(options.sliderParams),
  });
}

// ---- content blocks

export interface Scoped {
  scope?: Scope;
}

export function textBlock(
  value: TextWithTranslation,
  options: Scoped & {
    multiline?: boolean;
    title?: TextWithTranslation;
    bold?: boolean;
    size?: TextSize;
    color?: TextColor;
  } = {},
): TextBlock {
  return { type: 'text', properties: compact({ value, ...options }) };
}

export function largeTextBlock(value: TextWithTranslation, options: Scoped = {}): LargeTextBlock {
  return { type: 'largeText', properties: compact({ value, ...options }) };
}

export function linkBlock(
  text: TextWithTranslation,
  action: Action,
  options: Scoped & { bold?: boolean } = {},
): LinkBlock {
  return { type: 'link', properties: compact({ text, action, ...options }) };
}

export function deadlineBlock(options: Scoped & { readonly?: boolean } = {}): DeadlineBlock {
  const properties = compact({ ...options });
  return Object.keys(properties).length === 0 ? { type: 'deadline' } : { type: 'deadline', properties };
}

export function withTitle(
  title: TextWithTranslation,
  block: SimpleContentBlock,
  options: Scoped & { inline?: boolean } = {},
): WithTitleBlock {
  return { type: 'withTitle', properties: compact({ title, block, ...options }) };
}

export function lineOfBlocks(blocks: Keyed<SimpleContentBlock>, options: Scoped = {}): LineOfBlocksBlock {
  return { type: 'lineOfBlocks', properties: compact({ blocks: keyed(blocks), ...options }) };
}

// ---- header, body, footer

export function tag(
  title: TextWithTranslation,
  type: TagType,
  action?: Action,
  options: Scoped & { hideIfReadonly?: boolean } = {},
): Tag {
  return compact({ title, type, action, ...options });
}

export function header(title: TextWithTranslation, options: { tags?: Keyed<Tag>; titleAction?: Action } = {}): Header {
  return compact({ title, titleAction: options.titleAction, tags: options.tags && keyed(options.tags) });
}

export function body(logo: string | Logo, blocks: Keyed<ContentBlock>): Body {
  return { logo: typeof logo === 'string' ? { code: logo } : logo, blocks: keyed(blocks) };
}

export function button(
  title: TextWithTranslation,
  type: ButtonType,
  action: Action,
  options: Scoped & { hideIfReadonly?: boolean } = {},
): FooterButton {
  return compact({ title, type, action, ...options });
}

export function menuItem(
  title: TextWithTranslation,
  action: Action,
  options: Scoped & { hideIfReadonly?: boolean } = {},
): MenuItem {
  return compact({ title, action, ...options });
}

export function menu(
  items: Keyed<MenuItem>,
  options: { showPinItem?: boolean; showPostponeItem?: boolean; showDeleteItem?: boolean } = {},
): FooterMenu {
  return compact({ ...options, items: keyed(items) });
}

export function footer(options: { buttons?: Keyed<FooterButton>; menu?: FooterMenu; showNote?: boolean }): Footer {
  return compact({
    buttons: options.buttons && keyed(options.buttons),
    menu: options.menu,
    showNote: options.showNote,
  });
}

export function layout(parts: { icon: string | Icon; header: Header; body: Body; footer?: Footer }): Layout {
  return compact({
    icon: typeof parts.icon === 'string' ? { code: parts.icon } : parts.icon,
    header: parts.header,
    body: parts.body,
    footer: parts.footer,
  });
}
