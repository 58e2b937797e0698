import { SEED_FIELDS } from '@b24app/layout/seed-examples';
import { describe, expect, it } from 'vitest';
import { validLayout } from '../../test/valid-layout.js';
import type { ConfigurableActivity } from '../state/model.js';
import { describePings, type RenderContext, renderActivity } from './timeline-render.js';

function activity(layout: unknown, fields: Partial<ConfigurableActivity['fields']> = {}): ConfigurableActivity {
  return {
    id: 7,
    ownerTypeId: 2,
    ownerId: 3,
    clientId: 'local.x',
    fields: { ...SEED_FIELDS.configurableGetResponse, deadline: null, ...fields },
    layout: validLayout(layout),
    authorId: 1,
    editorId: 1,
    createdAt: 0,
    updatedAt: 0,
    updates: 0,
  };
}

const ctx: RenderContext = {
  lang: 'de',
  portalBase: 'http://127.0.0.1:9',
  appPageUrl: '/ui/app',
  lockKind: null,
  disabledButtons: [],
};

const DEADLINE = '2026-01-01T00:00:00+00:00';

const base = {
  icon: { code: 'info' },
  header: { title: { en: 'Hello', de: 'Hallo' }, tags: { t: { type: 'failure', title: '<b>x</b>' } } },
  body: {
    logo: { code: 'notification' },
    blocks: {
      a: { type: 'text', properties: { value: 'line1\nline2', multiline: true } },
      m: { type: 'text', properties: { value: 'mobile only', scope: 'mobile' } },
      d: { type: 'deadline', properties: {} },
      l: { type: 'link', properties: { text: 'Deal', action: { type: 'redirect', uri: '/crm/deal/details/3/' } } },
      j: { type: 'link', properties: { text: 'Bad', action: { type: 'redirect', uri: 'javascript:alert(1)' } } },
    },
  },
  footer: {
    buttons: {
      ok: { title: 'OK', type: 'primary', action: { type: 'restEvent', id: 'ok', animationType: 'disable' } },
    },
  },
};

describe('renderActivity', () => {
  it('resolves translations, escapes text and colours tags by type', () => {
    const html = renderActivity(activity(base), ctx);
    expect(html).toContain('>Hallo<');
    expect(html).toContain('class="tag tag-failure">&lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('<b>x</b>');
  });

  it('turns \\n into <br> for multiline text and hides mobile-scoped blocks', () => {
    const html = renderActivity(activity(base), ctx);
    expect(html).toContain('line1<br>line2');
    expect(html).not.toContain('mobile only');
  });

  it('shows the icon and the logo as images with a readable label, not as their code', () => {
    const html = renderActivity(activity(base), ctx);
    expect(html).toContain('<img src="/ui/timeline/icons/info.svg" alt="Info"');
    expect(html).toContain('<img src="/ui/timeline/logos/notification.svg" alt="Notification"');
    expect(html).not.toMatch(/>info</);
    expect(html).not.toMatch(/>notification</);
  });

  it('shows the deadline block only when there is a deadline and the activity is not incoming', () => {
    expect(renderActivity(activity(base), ctx)).not.toContain('b-deadline');
    expect(renderActivity(activity(base, { deadline: DEADLINE }), ctx)).toContain('b-deadline');
    expect(renderActivity(activity(base, { deadline: DEADLINE, isIncomingChannel: true }), ctx)).not.toContain(
      'b-deadline',
    );
  });

  it('hides the title of a withTitle whose deadline is hidden', () => {
    const layout = {
      ...base,
      body: {
        logo: { code: 'document' },
        blocks: {
          due: { type: 'withTitle', properties: { title: 'Due by', inline: true, block: { type: 'deadline' } } },
        },
      },
    };
    expect(renderActivity(activity(layout), ctx)).not.toContain('Due by');
    expect(renderActivity(activity(layout, { deadline: DEADLINE }), ctx)).toContain('Due by');
  });

  it('makes the deadline read-only when the layout says so, the activity is completed or the viewer may not edit', () => {
    const ro = (a: ConfigurableActivity, c: RenderContext = ctx) =>
      renderActivity(a, c).includes('b-deadline readonly');
    const editable = {
      ...base,
      body: { ...base.body, blocks: { d: { type: 'deadline', properties: { readonly: false } } } },
    };
    const fixed = {
      ...base,
      body: { ...base.body, blocks: { d: { type: 'deadline', properties: { readonly: true } } } },
    };
    expect(ro(activity(editable, { deadline: DEADLINE }))).toBe(false);
    expect(ro(activity(fixed, { deadline: DEADLINE }))).toBe(true);
    expect(ro(activity(editable, { deadline: DEADLINE, completed: true }))).toBe(true);
    expect(ro(activity(editable, { deadline: DEADLINE }), { ...ctx, readonly: true })).toBe(true);
  });

  it('hides the buttons, menu items and tags marked hideIfReadonly from a viewer without edit access', () => {
    const layout = {
      ...base,
      header: {
        title: 'T',
        tags: {
          open: { type: 'primary', title: 'open tag' },
          edit: { type: 'warning', title: 'editor tag', hideIfReadonly: true },
        },
      },
      footer: {
        buttons: {
          view: { title: 'View', type: 'secondary', action: { type: 'redirect', uri: '/crm/deal/details/3/' } },
          approve: { title: 'Approve', type: 'primary', action: { type: 'restEvent', id: 'a' }, hideIfReadonly: true },
        },
        menu: { items: { undo: { title: 'Undo', action: { type: 'restEvent', id: 'u' }, hideIfReadonly: true } } },
      },
    };
    const editor = renderActivity(activity(layout), ctx);
    for (const t of ['open tag', 'editor tag', '>View<', '>Approve<', '>Undo<']) expect(editor).toContain(t);
    const reader = renderActivity(activity(layout), { ...ctx, readonly: true });
    for (const t of ['open tag', '>View<']) expect(reader).toContain(t);
    for (const t of ['editor tag', '>Approve<', '>Undo<']) expect(reader).not.toContain(t);
  });

  it('maps portal-relative redirects to the portal and refuses script URLs', () => {
    const html = renderActivity(activity(base), ctx);
    expect(html).toContain('href="http://127.0.0.1:9/crm/deal/details/3/"');
    expect(html).not.toContain('javascript:');
  });

  it('renders restEvent buttons with their click payload, disabled and loader states', () => {
    const html = renderActivity(activity(base), { ...ctx, disabledButtons: ['ok'] });
    expect(html).toMatch(
      /<button data-button="ok" type="button" class="btn btn-primary rest-event" data-click="[^"]*&quot;actionId&quot;:&quot;ok&quot;[^"]*" data-animation="disable" disabled>/,
    );
    const locked = renderActivity(activity(base), { ...ctx, lockKind: 'loader' });
    expect(locked).toContain('class="activity locked"');
    expect(locked).toContain('data-testid="loader"');
  });
});

describe('the activity’s own fields on the card', () => {
  it('names the responsible user and, while open with a deadline, when Bitrix24 will remind them', () => {
    const open = renderActivity(activity(base, { responsibleId: 5, deadline: DEADLINE, pingOffsets: [60, 0, 1440] }), {
      ...ctx,
      responsibleName: 'Anna Approver',
    });
    expect(open).toContain('Responsible: Anna Approver');
    expect(open).toContain('data-responsible-id="5"');
    expect(open).toContain('Reminders: at the deadline, 1 h, 1 d before');
    // Completed, or without a deadline or offsets: no reminders to show.
    const done = activity(base, { deadline: DEADLINE, pingOffsets: [60], completed: true });
    expect(renderActivity(done, ctx)).not.toContain('Reminders');
    expect(renderActivity(activity(base, { pingOffsets: [60] }), ctx)).not.toContain('Reminders');
    expect(renderActivity(activity(base, { deadline: DEADLINE, pingOffsets: [] }), ctx)).not.toContain('Reminders');
    // Without a name the card still says who.
    expect(renderActivity(activity(base, { responsibleId: 9 }), ctx)).toContain('Responsible: User #9');
  });

  it('describes offsets in minutes, hours and days before the deadline', () => {
    expect(describePings([15])).toBe('15 min before');
    expect(describePings([90, 120])).toBe('90 min, 2 h before');
    expect(describePings([0])).toBe('at the deadline');
  });
});
