import { resolveText, type TextWithTranslation } from '@b24app/layout';
import { detailActivityPlacement, placementTitle } from '../crm/detail-placement.js';
import { kanbanBadge } from '../crm/kanban-badge.js';
import type { EmulatorContext } from '../emulator-context.js';
import { frameBody, frameUrl } from '../install/frame-post.js';
import { entityTypeName } from '../portal/portal-service.js';
import type { CrmEntityTypeId, CrmItem, FrameSession, Portal } from '../state/model.js';
import { activeLocks } from '../timeline/click-service.js';
import { automationPanel } from './automation-panel.js';
import { esc, page } from './html.js';
import { notificationsPanel } from './notifications-panel.js';
import { activityVersion, renderActivity } from './timeline-render.js';

// The pages of the UI. Each returns an HTML string; routes pick the data and the viewer (user, language).

export const UI_LANGS = ['en', 'de', 'ru', 'es', 'fr', 'pl'] as const;

export interface Viewer {
  userId: number;
  lang: string;
}

function viewerQuery(v: Viewer): string {
  return `user=${v.userId}&lang=${encodeURIComponent(v.lang)}`;
}

function viewerControls(portal: Portal, v: Viewer): string {
  const users = [...portal.users.values()]
    .map(
      (u) =>
        `<option value="${u.id}"${u.id === v.userId ? ' selected' : ''}>${esc(`${u.name} ${u.lastName}`.trim())}${u.admin ? ' (admin)' : ''}</option>`,
    )
    .join('');
  const langs = UI_LANGS.map((l) => `<option${l === v.lang ? ' selected' : ''}>${l}</option>`).join('');
  return `<div class="viewer">Acting as <select data-viewer="user">${users}</select> language <select data-viewer="lang">${langs}</select></div>`;
}

/** The viewer's controls with the viewer's notifications (the bell) beside them. */
function viewerBar(ctx: EmulatorContext, portal: Portal, v: Viewer): string {
  const appName = (clientId: string) => ctx.state.apps.get(clientId)?.name ?? clientId;
  return `<div class="viewer-bar">${viewerControls(portal, v)}${notificationsPanel(portal, v.userId, appName)}</div>`;
}

export function homePage(ctx: EmulatorContext): string {
  const portals = [...ctx.state.portals.values()]
    .map(
      (p) =>
        `<li><a href="/ui/portals/${p.memberId}">${esc(p.name)}</a> <code>${esc(p.domain)}</code> <span class="muted">${p.plan}</span></li>`,
    )
    .join('');
  const apps = [...ctx.state.apps.values()]
    .map(
      (a) => `<li><code>${esc(a.clientId)}</code> ${esc(a.name)} <span class="muted">${esc(a.installUrl)}</span></li>`,
    )
    .join('');
  return page(
    'Home',
    `<h1>Local Bitrix24 portals</h1>
<p class="muted">OAuth server <code>${esc(ctx.mainUrl)}/rest/</code> · control API <code>${esc(ctx.mainUrl)}/_emulator</code></p>
<section><h2>Portals</h2><ul>${portals || '<li class="muted">none yet</li>'}</ul>
<form data-control="POST /_emulator/portals" class="inline"><input name="name" placeholder="Portal name"><select name="plan"><option>standard</option><option>enterprise</option></select><button>Create portal</button></form></section>
<section><h2>Registered apps</h2><ul>${apps || '<li class="muted">none yet</li>'}</ul>
<form data-control="POST /_emulator/apps" class="inline"><input name="name" placeholder="App name"><input name="installUrl" placeholder="Install URL (https://…)" required size="40"><input name="appUrl" placeholder="App page URL" size="30"><button>Register app</button></form></section>`,
  );
}

function kanban(portal: Portal, v: Viewer): string {
  // deals, leads, contacts, companies, then every smart process that has items
  const dynamic = [...new Set([...portal.crmItems.values()].map((i) => i.entityTypeId))]
    .filter((t) => t > 4)
    .sort((a, b) => a - b);
  const columns = ([2, 1, 3, 4, ...dynamic] as CrmEntityTypeId[]).map((typeId) => {
    const cards = [...portal.crmItems.values()]
      .filter((i) => i.entityTypeId === typeId)
      .map((i) => {
        const badge = kanbanBadge(portal, i);
        const badgeHtml = badge
          ? `<span class="badge badge-${esc(badge.type)}" data-testid="badge">${esc(resolveText(badge.title as TextWithTranslation, v.lang))}: ${esc(
              resolveText(badge.value as TextWithTranslation, v.lang),
            )}</span>`
          : '';
        return `<a class="kcard" href="/ui/portals/${portal.memberId}/crm/${typeId}/${i.id}?${viewerQuery(v)}"><span class="ktitle">${esc(i.title)}</span>${badgeHtml}</a>`;
      })
      .join('');
    return `<div class="kcol"><h3>${esc(entityTypeName(typeId))}s</h3>${cards || '<p class="muted">none</p>'}</div>`;
  });
  return `<div class="kanban">${columns.join('')}</div>`;
}

export function portalPage(ctx: EmulatorContext, portal: Portal, v: Viewer): string {
  const apps = [...ctx.state.apps.values()]
    .map((a) => {
      const inst = ctx.state.installation(portal.memberId, a.clientId);
      const state = inst ? (inst.installed ? 'installed' : 'installing (INSTALLED=N)') : 'not installed';
      const actions = inst
        ? `<a class="btn btn-primary" href="/ui/portals/${portal.memberId}/apps/${encodeURIComponent(a.clientId)}?${viewerQuery(v)}">Open</a>
<button class="btn" data-control="POST /_emulator/portals/${portal.memberId}/apps/${encodeURIComponent(a.clientId)}/uninstall">Uninstall</button>`
        : `<button class="btn btn-primary" data-control="POST /_emulator/portals/${portal.memberId}/apps/${encodeURIComponent(a.clientId)}/install" data-body='{"finish":false,"framePost":false}' data-then="/ui/portals/${portal.memberId}/apps/${encodeURIComponent(a.clientId)}?${viewerQuery(v)}">Install</button>`;
      return `<li><code>${esc(a.clientId)}</code> ${esc(a.name)} <span class="muted">${state}</span> ${actions}</li>`;
    })
    .join('');
  const users = [...portal.users.values()]
    .map((u) => `<li>#${u.id} ${esc(`${u.name} ${u.lastName}`)}${u.admin ? ' <b>admin</b>' : ''}</li>`)
    .join('');
  return page(
    portal.name,
    `<h1>${esc(portal.name)} <code>${esc(portal.domain)}</code></h1>
${viewerBar(ctx, portal, v)}
<p class="muted">member_id <code>${portal.memberId}</code> · client_endpoint <code>${esc(portal.clientEndpoint)}</code> · plan ${portal.plan} · limits ${portal.limits.burst}/${portal.limits.drainPerSec} per s · <a href="/ui/log?memberId=${portal.memberId}">log</a></p>
<section><h2>CRM</h2>${kanban(portal, v)}
<form data-control="POST /_emulator/portals/${portal.memberId}/crm-items" class="inline"><select name="entityTypeId" data-number><option value="2">deal</option><option value="1">lead</option><option value="3">contact</option><option value="4">company</option><option value="128">smart process 128</option></select><input name="title" placeholder="Title" required><button>Add CRM item</button></form></section>
<section><h2>Apps</h2><ul>${apps || '<li class="muted">no app registered</li>'}</ul></section>
<section><h2>Users</h2><ul>${users}</ul>
<form data-control="POST /_emulator/portals/${portal.memberId}/users" class="inline"><input name="name" placeholder="Name" required><label><input type="checkbox" name="admin"> admin</label><button>Add user</button></form></section>`,
  );
}

export interface RenderedActivity {
  id: number;
  version: string;
  html: string;
}

export function timelineActivities(ctx: EmulatorContext, portal: Portal, item: CrmItem, v: Viewer): RenderedActivity[] {
  return [...portal.activities.values()]
    .filter((a) => a.ownerTypeId === item.entityTypeId && a.ownerId === item.id)
    .sort((a, b) => b.id - a.id)
    .map((a) => {
      const locks = activeLocks(ctx, portal.memberId, a.id);
      const lockKind = locks.some((l) => l.kind === 'loader') ? ('loader' as const) : null;
      const disabledButtons = locks.filter((l) => l.kind === 'disable' && l.button).map((l) => l.button as string);
      const responsible = portal.users.get(a.fields.responsibleId);
      const rc = {
        lang: v.lang,
        responsibleName: responsible ? `${responsible.name} ${responsible.lastName}`.trim() : undefined,
        portalBase: `http://${portal.domain}`,
        appPageUrl: `/ui/portals/${portal.memberId}/apps/${encodeURIComponent(a.clientId)}?${viewerQuery(v)}`,
        owner: { entityTypeId: a.ownerTypeId, entityId: a.ownerId },
        lockKind,
        disabledButtons,
        readonly: portal.users.get(v.userId)?.crmReadOnly === true,
      };
      return { id: a.id, version: activityVersion(a, rc), html: renderActivity(a, rc) };
    });
}

/**
 * The menu above the timeline: Bitrix24's own items (inert here) and every app's CRM_XXX_DETAIL_ACTIVITY
 * placement for this item type, which opens its handler in a slider with a frame POST. Until an app's install is
 * finished its widgets show to administrators only.
 */
function timelineMenu(ctx: EmulatorContext, portal: Portal, item: CrmItem, v: Viewer): string {
  const code = detailActivityPlacement(item.entityTypeId);
  const admin = portal.users.get(v.userId)?.admin === true;
  const apps = portal.placements
    .filter((p) => p.placement === code)
    .filter((p) => {
      const inst = ctx.state.installation(portal.memberId, p.clientId);
      return inst !== undefined && (inst.installed || admin);
    })
    .map((p) => {
      const title = placementTitle(p, v.lang, ctx.state.apps.get(p.clientId)?.name ?? p.clientId);
      const href = `/ui/portals/${portal.memberId}/placements/${p.id}?${viewerQuery(v)}&entityTypeId=${item.entityTypeId}&entityId=${item.id}`;
      return `<a class="tm-item tm-app" href="${esc(href)}" data-open-rest-app data-slider-title="${esc(title)}" data-placement="${esc(p.placement)}">${esc(title)}</a>`;
    })
    .join('');
  const own = ['Activity', 'Comment', 'Message']
    .map((t, i) => `<span class="tm-item${i === 0 ? ' active' : ''}">${t}</span>`)
    .join('');
  return `<nav class="timeline-menu" aria-label="Timeline menu" data-testid="timeline-menu">${own}${apps}</nav>`;
}

export function itemPage(ctx: EmulatorContext, portal: Portal, item: CrmItem, v: Viewer): string {
  const activities = timelineActivities(ctx, portal, item, v);
  const badge = kanbanBadge(portal, item);
  return page(
    item.title,
    `<p><a href="/ui/portals/${portal.memberId}?${viewerQuery(v)}">← ${esc(portal.name)}</a></p>
<h1>${esc(item.title)} <span class="muted">${esc(entityTypeName(item.entityTypeId))} #${item.id}</span>${
      badge
        ? ` <span class="badge badge-${esc(badge.type)}">${esc(resolveText(badge.title as TextWithTranslation, v.lang))}</span>`
        : ''
    }</h1>
${viewerBar(ctx, portal, v)}
${timelineMenu(ctx, portal, item, v)}
${automationPanel(ctx, portal, item, v)}
<section class="timeline" data-timeline="/ui/api/portals/${portal.memberId}/crm/${item.entityTypeId}/${item.id}/timeline?${viewerQuery(v)}" data-click-url="/ui/api/portals/${portal.memberId}/click" data-user="${v.userId}">
${activities.map((a) => a.html).join('\n') || '<p class="muted empty">No activities yet.</p>'}
</section>`,
  );
}

/** The app page: an iframe the frame POST is submitted into (name = DOMAIN|PROTOCOL|APP_SID, as BX24.js reads it). */
export function appPage(
  ctx: EmulatorContext,
  portal: Portal,
  session: FrameSession,
  target: string,
  v: Viewer,
): string {
  const app = ctx.state.apps.get(session.clientId);
  const frameName = `${portal.domain}|0|${session.sid}`;
  const inputs = Object.entries(frameBody(ctx, session))
    .map(([k, val]) => `<input type="hidden" name="${esc(k)}" value="${esc(val)}">`)
    .join('');
  return page(
    app?.name ?? 'App',
    `<p><a href="/ui/portals/${portal.memberId}?${viewerQuery(v)}">← ${esc(portal.name)}</a></p>
<h1>${esc(app?.name ?? session.clientId)} <span class="muted">${session.install ? 'installer' : esc(session.placement)}</span></h1>
<form id="frame-post" method="post" action="${esc(frameUrl(ctx, target, session))}" target="${esc(frameName)}">${inputs}</form>
<iframe class="app-frame" name="${esc(frameName)}" title="application" ${appFrameData(portal, session, v)}></iframe>
<script>
document.getElementById('frame-post').submit();
// BX24.installFinish() in the frame: reload, so the app page replaces the installer
window.addEventListener('message', (e) => { if (e.data && e.data.bx24emulator === 'installFinish') setTimeout(() => location.reload(), 200); });
</script>`,
  );
}

/** What the frame protocol's parent side (public/frame-parent.js) needs to know about an app frame. */
function appFrameData(portal: Portal, session: FrameSession, v: Viewer): string {
  const base = `/ui/portals/${portal.memberId}/apps/${encodeURIComponent(session.clientId)}?${viewerQuery(v)}`;
  return `data-app-sid="${esc(session.sid)}" data-app-page="${esc(base)}"`;
}

/** The app page inside a slider (openRestApp, openApplication): only the frame, full height. */
export function embeddedAppPage(
  ctx: EmulatorContext,
  portal: Portal,
  session: FrameSession,
  target: string,
  v: Viewer,
) {
  const frameName = `${portal.domain}|0|${session.sid}`;
  const inputs = Object.entries(frameBody(ctx, session))
    .map(([k, val]) => `<input type="hidden" name="${esc(k)}" value="${esc(val)}">`)
    .join('');
  return `<!doctype html><html lang="${esc(v.lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>App</title><link rel="stylesheet" href="/assets/emulator-ui.css"><style>body{margin:0;background:#fff}</style></head><body>
<form id="frame-post" method="post" action="${esc(frameUrl(ctx, target, session))}" target="${esc(frameName)}">${inputs}</form>
<iframe class="app-frame-embed" name="${esc(frameName)}" title="application" ${appFrameData(portal, session, v)}></iframe>
<script src="/assets/frame-parent.js"></script>
<script>document.getElementById('frame-post').submit();</script>
</body></html>`;
}

export function logPage(ctx: EmulatorContext, memberId: string | undefined): string {
  const calls = ctx.state.calls
    .filter((c) => !memberId || c.memberId === memberId)
    .slice(-200)
    .reverse()
    .map(
      (c) =>
        `<tr class="${c.status >= 400 || c.status === 0 ? 'err' : ''}"><td>${c.seq}</td><td>${new Date(c.at).toISOString().slice(11, 23)}</td><td>${c.kind}</td><td>${esc(c.host)}</td><td>${esc(c.method)}${
          c.parentSeq ? ` <span class="muted">in #${c.parentSeq}</span>` : ''
        }</td><td>${esc(c.clientId ?? '')}</td><td>${c.userId ?? ''}</td><td>${c.status}</td><td>${esc(c.error ?? '')}</td><td>${c.durationMs}</td></tr>`,
    )
    .join('');
  const deliveries = ctx.state.deliveries
    .filter((d) => !memberId || d.memberId === memberId)
    .slice(-200)
    .reverse()
    .map(
      (d) =>
        `<tr class="${d.error ? 'err' : ''}"><td>${d.seq}</td><td>${new Date(d.at).toISOString().slice(11, 23)}</td><td>${esc(d.event)}</td><td>${esc(d.url)}</td><td>${d.attempt}</td><td>${d.status}</td><td>${esc(d.error ?? '')}</td><td>${d.durationMs}</td></tr>`,
    )
    .join('');
  return page(
    'Log',
    `<h1>Log${memberId ? ` <code>${esc(memberId)}</code>` : ''}</h1><p class="muted">Newest first, last 200 of each; refreshes every 3 s. Tokens are never shown.</p>
<h2>REST and OAuth calls</h2><table><tr><th>#</th><th>time</th><th>kind</th><th>host</th><th>method</th><th>app</th><th>user</th><th>status</th><th>error</th><th>ms</th></tr>${calls}</table>
<h2>Event deliveries</h2><table><tr><th>#</th><th>time</th><th>event</th><th>url</th><th>attempt</th><th>status</th><th>error</th><th>ms</th></tr>${deliveries}</table>`,
    { refreshSec: 3, script: false },
  );
}
