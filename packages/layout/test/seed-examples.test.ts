import { describe, expect, it } from 'vitest';
import {
  actionSchema,
  contentBlockSchema,
  footerButtonSchema,
  footerMenuSchema,
  formatIssues,
  headerSchema,
  iconSchema,
  menuItemSchema,
  resolveText,
  textWithTranslationSchema,
  validateActivityFields,
  validateBadge,
  validateLayout,
} from '../src/index.js';
import {
  SEED_ACTIONS,
  SEED_BADGES,
  SEED_BODY_WITHOUT_BLOCKS,
  SEED_CONTENT_BLOCKS,
  SEED_FIELDS,
  SEED_FOOTER_BUTTON,
  SEED_FOOTER_MENU,
  SEED_HEADER,
  SEED_ICON,
  SEED_LAYOUTS,
  SEED_MENU_ITEM,
  SEED_TRANSLATION,
} from './seed-examples.js';

describe('every JSON example of the seed documents validates', () => {
  it.each(Object.entries(SEED_LAYOUTS))('layout %s', (_name, layout) => {
    const result = validateLayout(layout);
    if (!result.ok) throw new Error(formatIssues(result.issues));
    expect(result.ok).toBe(true);
  });

  it.each(Object.entries(SEED_CONTENT_BLOCKS))('content block %s', (_name, block) => {
    expect(contentBlockSchema.safeParse(block).success).toBe(true);
  });

  it.each(Object.entries(SEED_ACTIONS))('action %s', (_name, action) => {
    expect(actionSchema.safeParse(action).success).toBe(true);
  });

  it('icon, header, footer button, footer menu, menu item and translation fragments', () => {
    expect(iconSchema.safeParse(SEED_ICON.icon).success).toBe(true);
    expect(headerSchema.safeParse(SEED_HEADER.header).success).toBe(true);
    expect(footerButtonSchema.safeParse(SEED_FOOTER_BUTTON).success).toBe(true);
    expect(footerMenuSchema.safeParse(SEED_FOOTER_MENU).success).toBe(true);
    expect(menuItemSchema.safeParse(SEED_MENU_ITEM).success).toBe(true);
    expect(textWithTranslationSchema.safeParse(SEED_TRANSLATION).success).toBe(true);
  });

  it('the add and get activity fields', () => {
    expect(validateActivityFields(SEED_FIELDS.configurableAdd)).toMatchObject({ ok: true });
    expect(validateActivityFields(SEED_FIELDS.configurableGetResponse)).toMatchObject({ ok: true });
  });

  it.each(Object.entries(SEED_BADGES))('badge %s', (_name, badge) => {
    expect(validateBadge(badge)).toMatchObject({ ok: true });
  });
});

describe('documented examples that break a documented rule are rejected, precisely', () => {
  it('the update example combines isIncomingChannel "Y" with a deadline', () => {
    expect(validateActivityFields(SEED_FIELDS.configurableUpdate)).toEqual({
      ok: false,
      issues: [
        {
          path: 'deadline',
          message: 'an incoming activity (isIncomingChannel) cannot have a deadline',
          code: 'INCOMING_ACTIVITY_CAN_NOT_BE_WITH_DEADLINE',
        },
      ],
    });
  });

  it('the body example "without content blocks" has none, but a body needs 1..20', () => {
    const layout = { icon: { code: 'info' }, header: { title: 'x' }, ...SEED_BODY_WITHOUT_BLOCKS };
    expect(validateLayout(layout)).toEqual({
      ok: false,
      issues: [{ path: 'body.blocks', message: 'at least 1 block required, got 0', code: 'FIELD_IS_REQUIRED' }],
    });
  });
});

describe('validation returns the layout as the portal stores it', () => {
  it('casts actionParams to strings and string flags to booleans, like the get response', () => {
    // The structure example and the get response show the same activity (the docs only reworded one title).
    const result = validateLayout(SEED_LAYOUTS.structureExample);
    if (!result.ok) throw new Error(formatIssues(result.issues));
    const stored = SEED_LAYOUTS.configurableGetResponse.footer;
    expect(result.value.footer?.buttons?.startCall?.action).toEqual(stored.buttons.startCall.action);
    expect(result.value.footer?.menu).toEqual(stored.menu);
  });

  it('resolves the multilingual example per language', () => {
    const title = SEED_LAYOUTS.examplesMultilingual.header.title;
    expect(resolveText(title, 'de')).toBe('Information');
    expect(resolveText(SEED_LAYOUTS.examplesMultilingual.footer.buttons.button1.title, 'de')).toBe('Drück mich');
    expect(resolveText(SEED_LAYOUTS.examplesMultilingual.footer.buttons.button1.title, 'fr')).toBe('Push me');
  });
});
