import { describe, expect, it } from 'vitest';
import { validLayout } from '../../test/valid-layout.js';
import { findRestEvent, layoutActions } from './layout-actions.js';

const layout = validLayout({
  icon: { code: 'call-completed' },
  header: {
    title: 'Incoming Call',
    titleAction: { type: 'redirect', uri: '/crm/deal/details/1/' },
    tags: { status2: { type: 'warning', title: 'not deciphered', action: { type: 'restEvent', id: 'tagClick' } } },
  },
  body: {
    logo: { code: 'call-incoming' },
    blocks: {
      responsible: {
        type: 'lineOfBlocks',
        properties: {
          blocks: {
            client: { type: 'link', properties: { text: 'John', action: { type: 'restEvent', id: 'openClient' } } },
          },
        },
      },
    },
  },
  footer: {
    buttons: {
      approve: {
        title: 'Approve',
        type: 'primary',
        action: { type: 'restEvent', id: 'approve', animationType: 'disable' },
      },
    },
    menu: {
      items: { confirm: { title: 'Confirm', action: { type: 'restEvent', id: 'confirm', animationType: 'loader' } } },
    },
  },
});

describe('layoutActions', () => {
  it('finds actions in buttons, menu, title, tags and nested link blocks', () => {
    expect(layoutActions(layout).map((a) => `${a.location}:${a.key}`)).toEqual([
      'button:approve',
      'menu:confirm',
      'title:title',
      'tag:status2',
      'link:responsible.client',
    ]);
  });

  it('resolves a restEvent by id', () => {
    expect(findRestEvent(layout, 'confirm')?.location).toBe('menu');
    expect(findRestEvent(layout, 'openClient')?.key).toBe('responsible.client');
    expect(findRestEvent(layout, 'nope')).toBeUndefined();
  });

  it('finds the link inside a withTitle under the withTitle key', () => {
    const titled = validLayout({
      ...layout,
      body: {
        logo: { code: 'document' },
        blocks: {
          who: {
            type: 'withTitle',
            properties: {
              title: 'Client',
              block: { type: 'link', properties: { text: 'Ann', action: { type: 'restEvent', id: 'ann' } } },
            },
          },
        },
      },
    });
    expect(findRestEvent(titled, 'ann')).toMatchObject({ location: 'link', key: 'who' });
  });

  it('carries actionParams as the validated strings', () => {
    const withParams = validLayout({
      ...layout,
      footer: {
        buttons: {
          b: { title: 'B', type: 'primary', action: { type: 'restEvent', id: 'b', actionParams: { n: 123, t: true } } },
        },
      },
    });
    expect(findRestEvent(withParams, 'b')?.action.actionParams).toEqual({ n: '123', t: '1' });
  });
});
