import { resolveText, type TextWithTranslation } from '@b24app/layout';
import { robotAppliesTo } from '../bizproc/robot-registry.js';
import { crmDocument } from '../bizproc/robot-runner.js';
import type { EmulatorContext } from '../emulator-context.js';
import type { CrmItem, Portal, Robot, RobotProperty, RobotRun } from '../state/model.js';
import { esc } from './html.js';

// The automation panel of a CRM item's page: the robots the portal's installed apps registered, a form per robot
// to run it on this item with property values (the automation's "run" with the values a rule would pass), and the
// runs on this item with their state and what the app sent back with bizproc.event.send.

interface PanelViewer {
  userId: number;
  lang: string;
}

const text = (v: unknown, lang: string): string =>
  typeof v === 'string' || (typeof v === 'object' && v !== null)
    ? resolveText(v as TextWithTranslation, lang)
    : String(v ?? '');

function propertyInput(portal: Portal, key: string, p: RobotProperty, lang: string): string {
  const attrs = `name="${esc(key)}" data-prop="${esc(key)}" data-type="${esc(p.type)}"${p.required ? ' required' : ''}`;
  const dflt = typeof p.default === 'string' ? p.default : '';
  switch (p.type) {
    case 'user': {
      const users = [...portal.users.values()]
        .map((u) => {
          const value = `user_${u.id}`;
          return `<option value="${value}"${value === dflt ? ' selected' : ''}>${esc(`${u.name} ${u.lastName}`.trim())} (${value})</option>`;
        })
        .join('');
      return `<select ${attrs}><option value="">—</option>${users}</select>`;
    }
    case 'select': {
      const options = typeof p.options === 'object' && p.options !== null ? Object.entries(p.options) : [];
      const items = options
        .map(([value, label]) => `<option value="${esc(value)}">${esc(text(label, lang))}</option>`)
        .join('');
      return `<select ${attrs}><option value="">—</option>${items}</select>`;
    }
    case 'bool':
      return `<select ${attrs}><option value="">—</option><option value="Y">Y</option><option value="N">N</option></select>`;
    case 'text':
      return `<textarea ${attrs} rows="2">${esc(dflt)}</textarea>`;
    case 'datetime':
      return `<input type="datetime-local" ${attrs}>`;
    case 'date':
      return `<input type="date" ${attrs}>`;
    case 'int':
    case 'double':
      return `<input type="number" ${attrs}${p.type === 'double' ? ' step="any"' : ''} value="${esc(dflt)}">`;
    default:
      return `<input type="text" ${attrs} value="${esc(dflt)}">`;
  }
}

function robotForm(ctx: EmulatorContext, portal: Portal, item: CrmItem, robot: Robot, v: PanelViewer): string {
  const app = ctx.state.apps.get(robot.clientId);
  const props = Object.entries(robot.properties)
    .map(
      ([key, p]) =>
        `<label class="robot-prop"><span>${esc(text(p.name, v.lang))}${p.required ? ' *' : ''}</span>${propertyInput(portal, key, p, v.lang)}</label>`,
    )
    .join('');
  const run = {
    clientId: robot.clientId,
    code: robot.code,
    entityTypeId: item.entityTypeId,
    entityId: item.id,
    userId: v.userId,
  };
  return `<form class="robot" data-testid="robot" data-code="${esc(robot.code)}" data-robot-run="POST /_emulator/portals/${portal.memberId}/robots/run" data-run='${esc(JSON.stringify(run))}'>
<header><b>${esc(text(robot.name, v.lang))}</b> <code>${esc(robot.code)}</code> <span class="muted">${esc(app?.name ?? robot.clientId)}${
    robot.useSubscription ? ' · waits for the app' : ''
  }</span></header>
${robot.description ? `<p class="muted">${esc(text(robot.description, v.lang))}</p>` : ''}
<div class="robot-props">${props}</div>
<button class="btn btn-primary" data-testid="run-robot">Run</button>
</form>`;
}

/** The runs of any robot on this item, newest first. */
function runsOf(portal: Portal, item: CrmItem): RobotRun[] {
  const doc = crmDocument(item.entityTypeId, item.id).documentId.join('|');
  return [...portal.robotRuns.values()].filter((r) => r.documentId.join('|') === doc).sort((a, b) => b.id - a.id);
}

const STATE_TAG: Record<RobotRun['state'], string> = {
  running: 'warning',
  completed: 'success',
  timed_out: 'failure',
  stopped: 'secondary',
};

function returned(values: Record<string, unknown> | null): string {
  if (!values) return '<span class="muted">—</span>';
  const rows = Object.entries(values)
    .map(([k, val]) => `<div><span class="muted">${esc(k)}</span> <b data-return="${esc(k)}">${esc(val)}</b></div>`)
    .join('');
  return rows || '<span class="muted">(none)</span>';
}

function runRow(portal: Portal, r: RobotRun, lang: string): string {
  const robot = portal.robots.get(`${r.clientId}|${r.code}`);
  const refused = r.sends.filter((s) => !s.accepted).length;
  const end = (as: string, label: string) =>
    `<button type="button" class="btn" data-end-run="/_emulator/portals/${portal.memberId}/robot-runs/${r.id}/end" data-as="${as}">${label}</button>`;
  return `<tr data-testid="robot-run" data-run-id="${r.id}" data-state="${r.state}">
<td>#${r.id}</td><td>${esc(robot ? text(robot.name, lang) : r.code)} <code>${esc(r.code)}</code></td>
<td>${new Date(r.startedAt).toISOString().slice(11, 19)}</td>
<td><span class="tag tag-${STATE_TAG[r.state]}" data-testid="run-state">${r.state.replace('_', ' ')}</span></td>
<td>${r.deliveryStatus === null ? '<span class="muted">sending…</span>' : `HTTP ${r.deliveryStatus}`}</td>
<td data-testid="run-returned">${returned(r.returnValues)}</td>
<td>${r.sends.length - refused} accepted${refused ? `, ${refused} refused` : ''}</td>
<td>${r.state === 'running' ? `${end('timed_out', 'Time out')} ${end('stopped', 'Stop')}` : ''}</td></tr>`;
}

/** The runs table and a version that changes whenever a run does (the page polls it). */
export function robotRunsView(portal: Portal, item: CrmItem, lang: string): { version: string; html: string } {
  const runs = runsOf(portal, item);
  const version = runs.map((r) => `${r.id}:${r.state}:${r.deliveryStatus}:${r.sends.length}`).join(',');
  const html = runs.length
    ? `<table><tr><th>run</th><th>rule</th><th>started (UTC)</th><th>state</th><th>handler</th><th>returned</th><th>bizproc.event.send</th><th></th></tr>${runs
        .map((r) => runRow(portal, r, lang))
        .join('')}</table>`
    : '<p class="muted">No runs on this item yet.</p>';
  return { version, html };
}

export function automationPanel(ctx: EmulatorContext, portal: Portal, item: CrmItem, v: PanelViewer): string {
  const { documentType } = crmDocument(item.entityTypeId, item.id);
  const installed = [...portal.robots.values()]
    .filter((r) => ctx.state.installation(portal.memberId, r.clientId)?.installed === true)
    .filter((r) => robotAppliesTo(r, documentType))
    .sort((a, b) => a.addedAt - b.addedAt);
  const runs = robotRunsView(portal, item, v.lang);
  const forms = installed.map((r) => robotForm(ctx, portal, item, r, v)).join('');
  const base = `/ui/api/portals/${portal.memberId}/crm/${item.entityTypeId}/${item.id}/robot-runs?lang=${encodeURIComponent(v.lang)}`;
  return `<section class="automation" data-testid="automation">
<h2>Automation rules</h2>
${forms || '<p class="muted">No automation rules installed (apps add them with bizproc.robot.add).</p>'}
<h3>Runs on this item</h3>
<div data-testid="robot-runs" data-robot-runs="${base}" data-version="${esc(runs.version)}">${runs.html}</div>
</section>`;
}
