import { SEED_FIELDS } from '@b24app/layout/seed-examples';
import { describe, expect, it } from 'vitest';
import type { ConfigurableActivity } from '../state/model.js';
import { renderActivity } from './timeline-render.js';

function activity(
  layout: Record<string, unknown>,
  fields: Partial<ConfigurableActivity['fields']> = {},
): ConfigurableActivity {
  return {
    id: 7,
    ownerTypeId: 2,
    ownerId: 3,
    clientId: 'local.x',
    fields: { ...SEED_FIELDS.configurableGetResponse, deadline: null, ...fields },
    layout,
    authorId: 1,
    editorId: 1,
    createdAt: 0,
    updatedAt: 0,
    updates: 0,
  };
}

const ctx = {
  lang: 'de',
  portalBase: 'http://127.0.0.1:9',
  appPageUrl: '/ui/app',
  lockKind: null,
  disabledButtons: [],
};

const base = {
  icon: { code: 'info' },
  header: { title: { en: 'Hello', de: 'Hallo' }, tags: { t: { type: 'failure', title: '<b>x</b>' } } },
  body: {
    logo: { code: 'notification' },
    blocks: {
      a: { type: 'text', properties: { value: 'line1\nline2', multiline: true } },
      m: { type: 'text', properties: { value: 'mobile only' }, scope: 'mobile' },
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

  it('shows the deadline block only when there is a deadline and the activity is not incoming', () => {
    expect(renderActivity(activity(base), ctx)).not.toContain('b-deadline');
    expect(renderActivity(activity(base, { deadline: '2026-01-01T00:00:00+00:00' }), ctx)).toContain('b-deadline');
    expect(
      renderActivity(activity(base, { deadline: '2026-01-01T00:00:00+00:00', isIncomingChannel: true }), ctx),
    ).not.toContain('b-deadline');
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
