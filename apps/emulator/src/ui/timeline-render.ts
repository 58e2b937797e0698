import {
  type Action,
  type ContentBlock,
  type Layout,
  resolveText,
  type SimpleContentBlock,
  type TextWithTranslation,
} from '@b24app/layout';
import type { ConfigurableActivity } from '../state/model.js';
import { esc, safeHref } from './html.js';
import { timelineImageLabel, timelineImageUrl } from './timeline-images.js';

// Renders a configurable activity from its stored (validated) LayoutDto the way the Bitrix24 timeline shows it:
// icon and logo images, header with colored tags, body blocks, footer buttons and menu; texts resolved in the
// viewer's language; what a read-only viewer may not see (hideIfReadonly) left out. Pure.

export interface RenderContext {
  lang: string;
  /** portal base (`http://127.0.0.1:port`) for relative redirect URIs like /crm/deal/details/1/ */
  portalBase: string;
  /** URL of the app page, for openRestApp actions */
  appPageUrl: string;
  /** The CRM item the activity belongs to: openRestApp passes it in PLACEMENT_OPTIONS. */
  owner?: { entityTypeId: number; entityId: number };
  lockKind: 'loader' | 'disable' | null;
  disabledButtons: readonly string[];
  /** the viewer has no edit access to the item: hideIfReadonly elements go, the deadline is read-only */
  readonly?: boolean;
  /** the activity's responsible user (fields.responsibleId), as the card shows them */
  responsibleName?: string | undefined;
}

type Scoped = { scope?: 'web' | 'mobile' | undefined };
type Hideable = Scoped & { hideIfReadonly?: boolean | undefined };

/** Blocks scoped to the mobile app are not shown in a browser. */
function visible(o: Scoped | undefined): boolean {
  return o?.scope !== 'mobile';
}

/** Buttons, menu items and tags: also hidden from a read-only viewer when they ask for it. */
function shown(o: Hideable, ctx: RenderContext): boolean {
  return visible(o) && !(o.hideIfReadonly === true && ctx.readonly === true);
}

function text(v: TextWithTranslation, lang: string): string {
  return resolveText(v, lang);
}

interface ActionTarget {
  activityId: number;
  location: string;
  key: string;
}

/** Wraps content in the element an action needs: a link for redirect/openRestApp, a button for restEvent. */
function actionable(
  action: Action | undefined,
  inner: string,
  cls: string,
  t: ActionTarget,
  ctx: RenderContext,
  disabled = false,
): string {
  switch (action?.type) {
    case 'redirect': {
      const uri = action.uri.startsWith('/') ? `${ctx.portalBase}${action.uri}` : safeHref(action.uri);
      const external = /^https?:\/\//i.test(action.uri);
      return `<a class="${cls}" href="${esc(uri)}"${external ? ' target="_blank" rel="noopener"' : ''}>${inner}</a>`;
    }
    case 'openRestApp': {
      // As Bitrix24 passes them: the action's params as strings (nested values do not survive), then the
      // three keys it overwrites.
      const options: Record<string, string> = {};
      for (const [k, v] of Object.entries(action.actionParams ?? {})) {
        if (v === null || typeof v !== 'object') options[k] = String(v);
      }
      if (ctx.owner) {
        options.entityTypeId = String(ctx.owner.entityTypeId);
        options.entityId = String(ctx.owner.entityId);
      }
      options.activityId = String(t.activityId);
      const href = `${ctx.appPageUrl}${ctx.appPageUrl.includes('?') ? '&' : '?'}placementOptions=${encodeURIComponent(JSON.stringify(options))}`;
      const width = action.sliderParams?.width !== undefined ? ` data-slider-width="${action.sliderParams.width}"` : '';
      const title =
        action.sliderParams?.title !== undefined ? ` data-slider-title="${esc(action.sliderParams.title)}"` : '';
      return `<a class="${cls}" href="${esc(href)}" target="_blank" data-open-rest-app${width}${title}>${inner}</a>`;
    }
    case 'restEvent': {
      const click = JSON.stringify({ activityId: t.activityId, actionId: action.id, location: t.location, key: t.key });
      return `<button type="button" class="${cls} rest-event" data-click="${esc(click)}" data-animation="${esc(action.animationType ?? '')}"${
        disabled ? ' disabled' : ''
      }>${inner}</button>`;
    }
    default:
      return `<span class="${cls}">${inner}</span>`;
  }
}

/** The deadline block: hidden for incoming activities and those without a deadline (then '' here). */
function renderDeadline(
  block: Extract<ContentBlock, { type: 'deadline' }>,
  a: ConfigurableActivity,
  ctx: RenderContext,
) {
  if (a.fields.isIncomingChannel || !a.fields.deadline) return '';
  // read-only whatever the layout says when the activity is completed or the viewer may not edit the item
  const readonly = block.properties?.readonly === true || a.fields.completed || ctx.readonly === true;
  return `<span class="b-deadline${readonly ? ' readonly' : ''}"${readonly ? ' aria-readonly="true"' : ''}><span class="muted">Deadline</span> ${esc(a.fields.deadline)}</span>`;
}

function renderBlock(
  key: string,
  block: ContentBlock | SimpleContentBlock,
  a: ConfigurableActivity,
  ctx: RenderContext,
  path: string,
): string {
  if (!visible(block.properties)) return '';
  const t = { activityId: a.id, location: 'link', key: path ? `${path}.${key}` : key };
  switch (block.type) {
    case 'text': {
      const p = block.properties;
      const cls = ['b-text', `size-${p.size ?? 'md'}`];
      if (p.color) cls.push(`color-${p.color}`);
      if (p.bold === true) cls.push('bold');
      const value = esc(text(p.value, ctx.lang));
      const title = p.title === undefined ? '' : ` title="${esc(text(p.title, ctx.lang))}"`;
      return `<span class="${cls.join(' ')}"${title}>${p.multiline === true ? value.replace(/\n/g, '<br>') : value}</span>`;
    }
    case 'largeText': {
      const value = text(block.properties.value, ctx.lang);
      const preview = value.length > 160 ? `${value.slice(0, 160)}…` : value;
      return `<details class="b-large"><summary><span class="preview">${esc(preview)}</span> <span class="more">Show more</span></summary><div class="full">${esc(value).replace(/\n/g, '<br>')}</div></details>`;
    }
    case 'link': {
      const p = block.properties;
      return actionable(p.action, esc(text(p.text, ctx.lang)), `b-link${p.bold === true ? ' bold' : ''}`, t, ctx);
    }
    case 'withTitle': {
      const p = block.properties;
      const inner = renderBlock(key, p.block, a, ctx, path);
      // a hidden value (a deadline without a deadline, a mobile-only block) takes its title with it
      if (inner === '') return '';
      return `<div class="b-with-title${p.inline === true ? ' inline' : ''}"><span class="wt-title">${esc(text(p.title, ctx.lang))}</span><span class="wt-value">${inner}</span></div>`;
    }
    case 'lineOfBlocks': {
      const inner = Object.entries(block.properties.blocks)
        .map(([k, b]) => renderBlock(k, b, a, ctx, t.key))
        .filter((html) => html !== '')
        .join(' ');
      return inner === '' ? '' : `<div class="b-line">${inner}</div>`;
    }
    case 'deadline':
      return renderDeadline(block, a, ctx);
  }
}

/** `[0, 60, 1440]` → `at the deadline, 1 h, 1 d before` (minutes before the deadline, as pingOffsets count). */
export function describePings(offsets: readonly number[]): string {
  const unit = (m: number) => (m % 1440 === 0 ? `${m / 1440} d` : m % 60 === 0 ? `${m / 60} h` : `${m} min`);
  const sorted = [...offsets].sort((a, b) => a - b);
  const before = sorted.filter((m) => m > 0).map(unit);
  return [
    ...(sorted.includes(0) ? ['at the deadline'] : []),
    ...(before.length ? [`${before.join(', ')} before`] : []),
  ].join(', ');
}

/**
 * What Bitrix24 shows of the activity's own fields next to the layout: the responsible user, and while it is open
 * with a deadline, when they will be reminded (a ping record at each offset).
 */
function renderMeta(a: ConfigurableActivity, ctx: RenderContext): string {
  const parts: string[] = [];
  const who = ctx.responsibleName || `User #${a.fields.responsibleId}`;
  parts.push(
    `<span class="meta-responsible" data-responsible-id="${a.fields.responsibleId}">Responsible: ${esc(who)}</span>`,
  );
  if (!a.fields.completed && a.fields.deadline && a.fields.pingOffsets.length > 0) {
    parts.push(
      `<span class="meta-pings" data-ping-offsets="${esc(a.fields.pingOffsets.join(','))}">Reminders: ${esc(describePings(a.fields.pingOffsets))}</span>`,
    );
  }
  return `<div class="meta" data-testid="activity-meta">${parts.join(' · ')}</div>`;
}

export function activityVersion(
  a: ConfigurableActivity,
  ctx: Pick<RenderContext, 'lockKind' | 'disabledButtons' | 'readonly'>,
): string {
  return `${a.updates}:${ctx.lockKind ?? '-'}:${ctx.disabledButtons.join(',')}${ctx.readonly ? ':ro' : ''}`;
}

function image(kind: 'icon' | 'logo', code: string): string {
  const label = timelineImageLabel(code);
  return `<img src="${esc(timelineImageUrl(kind, code))}" alt="${esc(label)}" title="${esc(label)}" width="${kind === 'icon' ? 36 : 48}" height="${kind === 'icon' ? 36 : 48}">`;
}

function renderFooter(layout: Layout, a: ConfigurableActivity, ctx: RenderContext): string {
  const footer = layout.footer ?? {};
  const buttons = Object.entries(footer.buttons ?? {})
    .filter(([, b]) => shown(b, ctx))
    .map(([k, b]) =>
      actionable(
        b.action,
        esc(text(b.title, ctx.lang)),
        `btn btn-${esc(b.type)}`,
        { activityId: a.id, location: 'button', key: k },
        ctx,
        ctx.disabledButtons.includes(k),
      ).replace(/^<(button|a|span) /, `<$1 data-button="${esc(k)}" `),
    )
    .join('');
  const menu = footer.menu ?? {};
  const items = Object.entries(menu.items ?? {})
    .filter(([, m]) => shown(m, ctx))
    .map(
      ([k, m]) =>
        `<li>${actionable(m.action, esc(text(m.title, ctx.lang)), 'menu-item', { activityId: a.id, location: 'menu', key: k }, ctx)}</li>`,
    );
  // the system menu items, shown per the docs' rules (not functional here)
  if (menu.showPinItem !== false && a.fields.completed)
    items.push('<li><span class="menu-item system">Pin</span></li>');
  if (menu.showPostponeItem !== false && !a.fields.completed && !a.fields.isIncomingChannel && a.fields.deadline) {
    items.push('<li><span class="menu-item system">Postpone</span></li>');
  }
  if (menu.showDeleteItem !== false) items.push('<li><span class="menu-item system">Delete</span></li>');
  const menuHtml = items.length
    ? `<details class="menu"><summary title="More">⋯</summary><ul>${items.join('')}</ul></details>`
    : '';
  return buttons || menuHtml ? `<footer>${buttons}${menuHtml}</footer>` : '';
}

export function renderActivity(a: ConfigurableActivity, ctx: RenderContext): string {
  const { icon, header, body } = a.layout;
  const title = actionable(
    header.titleAction,
    esc(text(header.title, ctx.lang)),
    'a-title',
    { activityId: a.id, location: 'title', key: 'title' },
    ctx,
  );
  const tags = Object.entries(header.tags ?? {})
    .filter(([, tag]) => shown(tag, ctx))
    .map(([k, tag]) =>
      actionable(
        tag.action,
        esc(text(tag.title, ctx.lang)),
        `tag tag-${esc(tag.type)}`,
        { activityId: a.id, location: 'tag', key: k },
        ctx,
      ),
    )
    .join('');
  const blocks = Object.entries(body.blocks)
    .map(([k, b]) => [k, renderBlock(k, b, a, ctx, '')] as const)
    .filter(([, html]) => html !== '')
    .map(([k, html]) => `<div class="block" data-block="${esc(k)}">${html}</div>`)
    .join('');
  const logoHtml = actionable(
    body.logo.action,
    image('logo', body.logo.code),
    'logo',
    { activityId: a.id, location: 'logo', key: 'logo' },
    ctx,
  );
  const loader =
    ctx.lockKind === 'loader'
      ? '<div class="loader-overlay" data-testid="loader"><div class="spinner"></div></div>'
      : '';

  return `<article class="activity${ctx.lockKind === 'loader' ? ' locked' : ''}${a.fields.completed ? ' completed' : ''}" data-activity-id="${a.id}" data-version="${esc(
    activityVersion(a, ctx),
  )}">
<div class="icon icon-${esc(icon.code)}">${image('icon', icon.code)}</div>
<div class="card">
<header><span class="title">${title}</span><span class="tags">${tags}</span></header>
${renderMeta(a, ctx)}
<section class="body"><div class="logo-wrap">${logoHtml}</div><div class="blocks">${blocks}</div></section>
${renderFooter(a.layout, a, ctx)}
</div>${loader}</article>`;
}
