// Property tests: whatever the builders produce validates (and is already in the portal's stored form);
// a mutation that breaks a rule is rejected with that rule's path and code; no input makes validation throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from './action.schemas.js';
import {
  body,
  button,
  deadlineBlock,
  footer,
  header,
  largeTextBlock,
  layout,
  lineOfBlocks,
  linkBlock,
  menu,
  menuItem,
  openRestApp,
  redirect,
  restEvent,
  tag,
  textBlock,
  withTitle,
} from './builders.js';
import {
  ANIMATION_TYPES,
  BUTTON_TYPES,
  CONTENT_BLOCK_TYPES,
  SCOPES,
  SYSTEM_ICONS,
  SYSTEM_LOGOS,
  TAG_TYPES,
  TEXT_COLORS,
  TEXT_SIZES,
} from './catalogs.js';
import type { ContentBlock, SimpleContentBlock } from './content-block.schemas.js';
import { formatIssues, type LayoutErrorCode } from './issues.js';
import type { Layout } from './layout.schemas.js';
import type { TextWithTranslation } from './translation.js';
import { validateActivityFields, validateLayout } from './validate.js';

// ---- arbitraries for builder arguments (their valid domain)

const langArb = fc.constantFrom('en', 'de', 'ru', 'fr', 'ua', 'sc', 'br');
const textArb: fc.Arbitrary<TextWithTranslation> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.dictionary(langArb, fc.string({ maxLength: 20 }), { minKeys: 1, maxKeys: 4 }),
);
// "__proto__" matches the portal's key pattern but is refused on purpose (a JS object would drop it).
const keyArb = fc.stringMatching(/^[a-zA-Z0-9_-]{1,12}$/).filter((key) => key !== '__proto__');
const scalarArb = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.double({ noNaN: true }));
const paramsArb = fc.dictionary(keyArb, scalarArb, { maxKeys: 20 });
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const scopeArb = opt(fc.constantFrom(...SCOPES));

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  fc.string({ minLength: 1, maxLength: 60 }).map(redirect),
  fc
    .tuple(fc.string({ minLength: 1, maxLength: 20 }), opt(paramsArb), opt(fc.constantFrom(...ANIMATION_TYPES)))
    .map(([id, actionParams, animationType]) => restEvent(id, { actionParams, animationType })),
  fc
    .tuple(
      opt(paramsArb),
      opt(
        fc.oneof(
          fc.record({ width: fc.nat(3000), title: opt(fc.string()) }),
          fc.record({ leftBoundary: fc.nat(3000), title: opt(fc.string()) }),
          fc.record({ title: fc.string() }),
        ),
      ),
    )
    .map(([actionParams, sliderParams]) => openRestApp({ actionParams, sliderParams })),
);

const simpleBlockArb: fc.Arbitrary<SimpleContentBlock> = fc.oneof(
  fc
    .tuple(
      textArb,
      fc.record(
        {
          multiline: fc.boolean(),
          title: textArb,
          bold: fc.boolean(),
          size: fc.constantFrom(...TEXT_SIZES),
          color: fc.constantFrom(...TEXT_COLORS),
          scope: fc.constantFrom(...SCOPES),
        },
        { requiredKeys: [] },
      ),
    )
    .map(([value, options]) => textBlock(value, options)),
  fc
    .tuple(textArb, actionArb, opt(fc.boolean()), scopeArb)
    .map(([text, action, bold, scope]) => linkBlock(text, action, { bold, scope })),
  fc.tuple(opt(fc.boolean()), scopeArb).map(([readonly, scope]) => deadlineBlock({ readonly, scope })),
);

const blockArb: fc.Arbitrary<ContentBlock> = fc.oneof(
  simpleBlockArb,
  fc.tuple(textArb, scopeArb).map(([value, scope]) => largeTextBlock(value, { scope })),
  fc
    .tuple(textArb, simpleBlockArb, opt(fc.boolean()), scopeArb)
    .map(([title, block, inline, scope]) => withTitle(title, block, { inline, scope })),
  fc
    .tuple(
      fc.oneof(fc.array(simpleBlockArb, { maxLength: 20 }), fc.dictionary(keyArb, simpleBlockArb, { maxKeys: 20 })),
      scopeArb,
    )
    .map(([blocks, scope]) => lineOfBlocks(blocks, { scope })),
);

const tagArb = fc
  .tuple(textArb, fc.constantFrom(...TAG_TYPES), opt(actionArb), scopeArb, opt(fc.boolean()))
  .map(([title, type, action, scope, hideIfReadonly]) => tag(title, type, action, { scope, hideIfReadonly }));

const buttonArb = fc
  .tuple(textArb, fc.constantFrom(...BUTTON_TYPES), actionArb, scopeArb, opt(fc.boolean()))
  .map(([title, type, action, scope, hideIfReadonly]) => button(title, type, action, { scope, hideIfReadonly }));

const menuItemArb = fc
  .tuple(textArb, actionArb, scopeArb, opt(fc.boolean()))
  .map(([title, action, scope, hideIfReadonly]) => menuItem(title, action, { scope, hideIfReadonly }));

const codeArb = (system: readonly string[]) => fc.oneof(fc.constantFrom(...system), keyArb);

const layoutArb: fc.Arbitrary<Layout> = fc
  .record({
    icon: codeArb(SYSTEM_ICONS),
    logo: codeArb(SYSTEM_LOGOS),
    logoAction: opt(actionArb),
    title: textArb,
    titleAction: opt(actionArb),
    tags: opt(fc.oneof(fc.array(tagArb, { maxLength: 2 }), fc.dictionary(keyArb, tagArb, { maxKeys: 2 }))),
    blocks: fc.oneof(
      fc.array(blockArb, { minLength: 1, maxLength: 20 }),
      fc.dictionary(keyArb, blockArb, { minKeys: 1, maxKeys: 20 }),
    ),
    footer: opt(
      fc.record(
        {
          buttons: fc.dictionary(keyArb, buttonArb, { maxKeys: 2 }),
          menu: fc
            .tuple(
              fc.array(menuItemArb, { maxLength: 10 }),
              fc.record(
                { showPinItem: fc.boolean(), showPostponeItem: fc.boolean(), showDeleteItem: fc.boolean() },
                { requiredKeys: [] },
              ),
            )
            .map(([items, flags]) => menu(items, flags)),
          showNote: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
    ),
  })
  .map((p) =>
    layout({
      icon: p.icon,
      header: header(p.title, { tags: p.tags, titleAction: p.titleAction }),
      body: body(p.logoAction ? { code: p.logo, action: p.logoAction } : p.logo, p.blocks),
      footer: p.footer && footer(p.footer),
    }),
  );

function mustValidate(value: Layout): Layout {
  const result = validateLayout(value);
  if (!result.ok) throw new Error(formatIssues(result.issues));
  return result.value;
}

describe('builders', () => {
  it('whatever they build validates, unchanged: it is already the stored form', () => {
    fc.assert(
      fc.property(layoutArb, (built) => {
        expect(mustValidate(built)).toEqual(built);
      }),
    );
  });

  it('what they build survives a JSON round trip (what the portal receives)', () => {
    fc.assert(
      fc.property(layoutArb, (built) => {
        expect(mustValidate(JSON.parse(JSON.stringify(built)))).toEqual(built);
      }),
    );
  });
});

const isoArb = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

// ---- mutations that break one rule

// biome-ignore lint/suspicious/noExplicitAny: mutations write deliberately invalid values
type Raw = any;
interface Mutation {
  name: string;
  apply: (layout: Raw) => void;
  path: string;
  code: LayoutErrorCode;
}

const REQUIRED = ['icon', 'header', 'body', 'icon.code', 'header.title', 'body.logo', 'body.blocks', 'body.logo.code'];
const DECLARED: Record<string, readonly string[]> = {
  '': ['icon', 'header', 'body', 'footer'],
  icon: ['code'],
  header: ['title', 'titleAction', 'tags'],
  body: ['logo', 'blocks'],
};
const at = (root: Raw, path: string): Raw => (path === '' ? root : path.split('.').reduce((o, k) => o[k], root));
const parentAndKey = (path: string): [string, string] => {
  const i = path.lastIndexOf('.');
  return i < 0 ? ['', path] : [path.slice(0, i), path.slice(i + 1)];
};
const text = { type: 'text', properties: { value: 'v' } };
const copies = <T>(n: number, value: T) => Array.from({ length: n }, () => value);
/** A count just over the limit (the likeliest off-by-one) or anywhere above it. */
const overLimit = (first: number, max: number) => fc.oneof(fc.constant(first), fc.integer({ min: first, max }));
const notIn = (values: readonly string[]) => fc.string({ maxLength: 12 }).filter((s) => !values.includes(s));

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...REQUIRED).map((path) => {
    const [parent, key] = parentAndKey(path);
    return {
      name: `drop ${path}`,
      apply: (l: Raw) => delete at(l, parent)[key],
      path,
      code: 'FIELD_IS_REQUIRED' as const,
    };
  }),
  overLimit(3, 8).map((n) => ({
    name: `${n} tags`,
    apply: (l: Raw) => (l.header.tags = copies(n, { title: 't', type: 'success' })),
    path: 'header.tags',
    code: 'TOO_MANY_ITEMS' as const,
  })),
  overLimit(21, 40).map((n) => ({
    name: `${n} blocks`,
    apply: (l: Raw) => (l.body.blocks = copies(n, text)),
    path: 'body.blocks',
    code: 'TOO_MANY_ITEMS' as const,
  })),
  overLimit(3, 6).map((n) => ({
    name: `${n} buttons`,
    apply: (l: Raw) =>
      (l.footer = { buttons: copies(n, { title: 'b', type: 'primary', action: { type: 'redirect', uri: '/' } }) }),
    path: 'footer.buttons',
    code: 'TOO_MANY_ITEMS' as const,
  })),
  overLimit(11, 20).map((n) => ({
    name: `${n} menu items`,
    apply: (l: Raw) =>
      (l.footer = { menu: { items: copies(n, { title: 'i', action: { type: 'redirect', uri: '/' } }) } }),
    path: 'footer.menu.items',
    code: 'TOO_MANY_ITEMS' as const,
  })),
  overLimit(21, 30).map((n) => ({
    name: `${n} actionParams`,
    apply: (l: Raw) => (l.header.titleAction = { type: 'restEvent', id: 'x', actionParams: copies(n, 'v') }),
    path: 'header.titleAction.actionParams',
    code: 'TOO_MANY_ITEMS' as const,
  })),
  fc
    .string({ minLength: 1, maxLength: 10 })
    .filter((k) => !/^[a-zA-Z0-9_-]+$/.test(k) && k !== '__proto__')
    .map((key) => ({
      name: `block key ${JSON.stringify(key)}`,
      apply: (l: Raw) => (l.body.blocks = { [key]: text }),
      path: `body.blocks.${key}`,
      code: 'KEY_CONTAIN_WRONG_SYMBOLS' as const,
    })),
  notIn(TAG_TYPES).map((type) => ({
    name: `tag type ${JSON.stringify(type)}`,
    apply: (l: Raw) => (l.header.tags = { t: { title: 't', type } }),
    path: 'header.tags.t.type',
    code: 'WRONG_FIELD_VALUE' as const,
  })),
  notIn(CONTENT_BLOCK_TYPES).map((type) => ({
    name: `block type ${JSON.stringify(type)}`,
    apply: (l: Raw) => (l.body.blocks = { b: { type, properties: {} } }),
    path: 'body.blocks.b.type',
    code: 'WRONG_FIELD_VALUE' as const,
  })),
  notIn(SCOPES).map((scope) => ({
    name: `scope ${JSON.stringify(scope)}`,
    apply: (l: Raw) => (l.body.blocks = { b: { type: 'text', properties: { value: 'v', scope } } }),
    path: 'body.blocks.b.properties.scope',
    code: 'WRONG_FIELD_VALUE' as const,
  })),
  fc
    .string({ minLength: 1, maxLength: 6 })
    .filter((k) => !/^[a-z]{2}$/.test(k) && k !== '__proto__')
    .map((lang) => ({
      name: `translation key ${JSON.stringify(lang)}`,
      apply: (l: Raw) => (l.header.title = { [lang]: 'x' }),
      path: `header.title.${lang}`,
      code: 'WRONG_LANG' as const,
    })),
  fc
    .tuple(fc.constantFrom(...Object.keys(DECLARED)), fc.stringMatching(/^[a-zA-Z]{1,10}$/))
    .filter(([where, key]) => !(DECLARED[where] ?? []).includes(key))
    .map(([where, key]) => ({
      name: `unknown field ${where}.${key}`,
      apply: (l: Raw) => (at(l, where)[key] = 1),
      path: where === '' ? key : `${where}.${key}`,
      code: 'FIELD_IS_REDUNDANT' as const,
    })),
  fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })).map((value) => ({
    name: `title ${JSON.stringify(value)}`,
    apply: (l: Raw) => (l.header.title = value),
    path: 'header.title',
    code: 'WRONG_FIELD_VALUE' as const,
  })),
);

describe('mutations that break a rule', () => {
  it('are rejected with the broken rule’s path and code', () => {
    fc.assert(
      fc.property(layoutArb, mutationArb, (built, mutation) => {
        const broken = structuredClone(built) as Raw;
        mutation.apply(broken);
        const result = validateLayout(broken);
        expect(result.ok, mutation.name).toBe(false);
        if (!result.ok) {
          expect(result.issues, mutation.name).toContainEqual(
            expect.objectContaining({ path: mutation.path, code: mutation.code }),
          );
        }
      }),
      { numRuns: 400 },
    );
  });

  it('an incoming activity with any deadline is rejected', () => {
    fc.assert(
      fc.property(fc.constantFrom('Y', 'y', true, 1, '1', 'true'), isoArb, (flag, deadline) => {
        const result = validateActivityFields({ isIncomingChannel: flag, deadline });
        expect(result.ok ? [] : result.issues.map((i) => i.code)).toEqual([
          'INCOMING_ACTIVITY_CAN_NOT_BE_WITH_DEADLINE',
        ]);
      }),
    );
  });
});

describe('any input', () => {
  const CODES: readonly LayoutErrorCode[] = [
    'TOO_MANY_ITEMS',
    'FIELD_IS_REQUIRED',
    'WRONG_FIELD_VALUE',
    'KEY_CONTAIN_WRONG_SYMBOLS',
    'INCOMING_ACTIVITY_CAN_NOT_BE_WITH_DEADLINE',
    'FIELD_IS_REDUNDANT',
    'WRONG_LANG',
  ];

  it('never throws, and a rejection always names at least one coded problem', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything()), (input) => {
        for (const result of [validateLayout(input), validateActivityFields(input)]) {
          if (!result.ok) {
            expect(result.issues.length).toBeGreaterThan(0);
            for (const issue of result.issues) {
              expect(CODES).toContain(issue.code);
              expect(issue.message.length).toBeGreaterThan(0);
            }
          }
        }
      }),
    );
  });
});
