import { describe, expect, it } from 'vitest';
import { findRestEvent, layoutActions, stringParams } from './layout-actions.js';

const layout = {
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
};

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

  it('casts actionParams scalars to strings and drops nested values', () => {
    expect(stringParams({ myId: 123, s: 'q', b: true, nested: { x: 1 } })).toEqual({ myId: '123', s: 'q', b: '1' });
  });
});
