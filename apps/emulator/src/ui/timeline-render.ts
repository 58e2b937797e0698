import { resolveText, type TextWithTranslation } from '@b24app/layout';
import { isRecord } from '../rest/params.js';
import type { ConfigurableActivity } from '../state/model.js';
import { esc, safeHref } from './html.js';

// Renders a configurable activity from its stored LayoutDto the way the Bitrix24 timeline shows it: icon, header
// with colored tags, body blocks, footer buttons and menu; texts resolved in the viewer's language. Pure.

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
}

type Obj = Record<string, unknown>;

function entries(v: unknown): [string, Obj][] {
  const list: [string, unknown][] = Array.isArray(v)
    ? v.map((x, i) => [String(i), x])
    : isRecord(v)
      ? Object.entries(v)
      : [];
  return list.filter((e): e is [string, Obj] => isRecord(e[1]));
}

function text(v: unknown, lang: string): string {
  if (typeof v === 'string') return v;
  if (isRecord(v)) return resolveText(v as TextWithTranslation, lang);
  return '';
}

/** Blocks scoped to the mobile app are not shown in a browser. */
function visible(o: Obj): boolean {
  return o.scope !== 'mobile';
}

interface ActionTarget {
  activityId: number;
  location: string;
  key: string;
}

/** Wraps content in the element an action needs: a link for redirect/openRestApp, a button for restEvent. */
function actionable(
  action: unknown,
  inner: string,
  cls: string,
  t: ActionTarget,
  ctx: RenderContext,
  disabled = false,
): string {
  if (!isRecord(action)) return `<span class="${cls}">${inner}</span>`;
  if (action.type === 'redirect' && typeof action.uri === 'string') {
    const uri = action.uri.startsWith('/') ? `${ctx.portalBase}${action.uri}` : safeHref(action.uri);
    const external = /^https?:\/\//i.test(action.uri);
    return `<a class="${cls}" href="${esc(uri)}"${external ? ' target="_blank" rel="noopener"' : ''}>${inner}</a>`;
  }
  if (action.type === 'openRestApp') {
    // As Bitrix24 passes them: the action's params as strings (nested values do not survive), then the
    // three keys it overwrites.
    const params = isRecord(action.actionParams) ? action.actionParams : {};
    const options: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) if (v === null || typeof v !== 'object') options[k] = String(v);
    if (ctx.owner) {
      options.entityTypeId = String(ctx.owner.entityTypeId);
      options.entityId = String(ctx.owner.entityId);
    }
    options.activityId = String(t.activityId);
    const href = `${ctx.appPageUrl}${ctx.appPageUrl.includes('?') ? '&' : '?'}placementOptions=${encodeURIComponent(JSON.stringify(options))}`;
    const slider = isRecord(action.sliderParams) ? action.sliderParams : {};
    const width = typeof slider.width === 'number' ? ` data-slider-width="${slider.width}"` : '';
    const title = typeof slider.title === 'string' ? ` data-slider-title="${esc(slider.title)}"` : '';
    return `<a class="${cls}" href="${esc(href)}" target="_blank" data-open-rest-app${width}${title}>${inner}</a>`;
  }
  if (action.type === 'restEvent' && typeof action.id === 'string') {
    const click = JSON.stringify({ activityId: t.activityId, actionId: action.id, location: t.location, key: t.key });
    const animation = typeof action.animationType === 'string' ? action.animationType : '';
    return `<button type="button" class="${cls} rest-event" data-click="${esc(click)}" data-animation="${esc(animation)}"${
      disabled ? ' disabled' : ''
    }>${inner}</button>`;
  }
  return `<span class="${cls}">${inner}</span>`;
}

function renderBlock(key: string, block: Obj, a: ConfigurableActivity, ctx: RenderContext, path: string): string {
  if (!visible(block)) return '';
  const p = isRecord(block.properties) ? block.properties : {};
  if (!visible(p)) return '';
  const t = { activityId: a.id, location: 'link', key: path ? `${path}.${key}` : key };
  switch (block.type) {
    case 'text': {
      const cls = ['b-text', `size-${typeof p.size === 'string' ? p.size : 'md'}`];
      if (typeof p.color === 'string') cls.push(`color-${p.color}`);
      if (p.bold === true) cls.push('bold');
      const value = esc(text(p.value, ctx.lang));
      const title = p.title === undefined ? '' : ` title="${esc(text(p.title, ctx.lang))}"`;
      return `<span class="${cls.join(' ')}"${title}>${p.multiline === true ? value.replace(/\n/g, '<br>') : value}</span>`;
    }
    case 'largeText': {
      const value = text(p.value, ctx.lang);
      const preview = value.length > 160 ? `${value.slice(0, 160)}…` : value;
      return `<details class="b-large"><summary><span class="preview">${esc(preview)}</span> <span class="more">Show more</span></summary><div class="full">${esc(value).replace(/\n/g, '<br>')}</div></details>`;
    }
    case 'link':
      return actionable(p.action, esc(text(p.text, ctx.lang)), `b-link${p.bold === true ? ' bold' : ''}`, t, ctx);
    case 'withTitle': {
      const inner = isRecord(p.block) ? renderBlock(key, p.block, a, ctx, path) : '';
      return `<div class="b-with-title${p.inline === true ? ' inline' : ''}"><span class="wt-title">${esc(text(p.title, ctx.lang))}</span><span class="wt-value">${inner}</span></div>`;
    }
    case 'lineOfBlocks': {
      const inner = entries(p.blocks)
        .map(([k, b]) => renderBlock(k, b, a, ctx, t.key))
        .join(' ');
      return `<div class="b-line">${inner}</div>`;
    }
    case 'deadline': {
      // hidden for incoming activities and activities without a deadline
      if (a.fields.isIncomingChannel || !a.fields.deadline) return '';
      return `<span class="b-deadline${p.readonly === true || a.fields.completed ? ' readonly' : ''}"><span class="muted">Deadline</span> ${esc(a.fields.deadline)}</span>`;
    }
    default:
      return '';
  }
}

export function activityVersion(
  a: ConfigurableActivity,
  ctx: Pick<RenderContext, 'lockKind' | 'disabledButtons'>,
): string {
  return `${a.updates}:${ctx.lockKind ?? '-'}:${ctx.disabledButtons.join(',')}`;
}

export function renderActivity(a: ConfigurableActivity, ctx: RenderContext): string {
  const layout = a.layout;
  const icon = isRecord(layout.icon) ? String(layout.icon.code ?? '') : '';
  const header = isRecord(layout.header) ? layout.header : {};
  const body = isRecord(layout.body) ? layout.body : {};
  const footer = isRecord(layout.footer) ? layout.footer : {};
  const logo = isRecord(body.logo) ? body.logo : {};

  const title = actionable(
    header.titleAction,
    esc(text(header.title, ctx.lang)),
    'a-title',
    { activityId: a.id, location: 'title', key: 'title' },
    ctx,
  );
  const tags = entries(header.tags)
    .filter(([, tag]) => visible(tag))
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
  const blocks = entries(body.blocks)
    .map(([k, b]) => `<div class="block" data-block="${esc(k)}">${renderBlock(k, b, a, ctx, '')}</div>`)
    .join('');
  const logoHtml = actionable(
    logo.action,
    esc(String(logo.code ?? '')),
    'logo',
    { activityId: a.id, location: 'logo', key: 'logo' },
    ctx,
  );
  const buttons = entries(footer.buttons)
    .filter(([, b]) => visible(b))
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
  const menu = isRecord(footer.menu) ? footer.menu : {};
  const items = entries(menu.items)
    .filter(([, m]) => visible(m))
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
  const loader =
    ctx.lockKind === 'loader'
      ? '<div class="loader-overlay" data-testid="loader"><div class="spinner"></div></div>'
      : '';

  return `<article class="activity${ctx.lockKind === 'loader' ? ' locked' : ''}${a.fields.completed ? ' completed' : ''}" data-activity-id="${a.id}" data-version="${esc(
    activityVersion(a, ctx),
  )}">
<div class="icon icon-${esc(icon)}" title="icon: ${esc(icon)}">${esc(icon)}</div>
<div class="card">
<header><span class="title">${title}</span><span class="tags">${tags}</span></header>
<section class="body"><div class="logo-wrap">${logoHtml}</div><div class="blocks">${blocks}</div></section>
${buttons || menuHtml ? `<footer>${buttons}${menuHtml}</footer>` : ''}
</div>${loader}</article>`;
}
