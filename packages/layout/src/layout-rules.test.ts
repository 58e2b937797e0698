// One breaking input per LayoutDto rule, with the exact issue (path, message, Bitrix24 code) expected.
import { describe, expect, it } from 'vitest';
import type { LayoutIssue } from './issues.js';
import { validateLayout, validateLayoutBlocks } from './validate.js';

// biome-ignore lint/suspicious/noExplicitAny: tests build deliberately malformed input
type Raw = any;

function minimal(): Raw {
  return {
    icon: { code: 'info' },
    header: { title: 'Title' },
    body: { logo: { code: 'notification' }, blocks: { b1: { type: 'text', properties: { value: 'v' } } } },
  };
}

const button = { title: 'b', type: 'primary', action: { type: 'redirect', uri: '/x' } };
const item = { title: 'i', action: { type: 'redirect', uri: '/x' } };
const textBlock = { type: 'text', properties: { value: 'v' } };
const times = <T>(n: number, value: T): T[] => Array.from({ length: n }, () => value);

function issuesAfter(mutate: (layout: Raw) => void): LayoutIssue[] {
  const layout = minimal();
  mutate(layout);
  const result = validateLayout(layout);
  return result.ok ? [] : result.issues;
}

const REDUNDANT = 'Bitrix24 rejects fields the structure does not declare';
const FLAG = 'must be true or false ("Y"/"N" and "true"/"false" also work; Bitrix24 reads any other string as false)';
const KEY = 'may contain only Latin letters, digits, "_" and "-"';

type Case = [rule: string, mutate: (l: Raw) => void, issue: LayoutIssue];

const cases: Case[] = [
  // LayoutDto
  ['icon is required', (l) => delete l.icon, { path: 'icon', message: 'is required', code: 'FIELD_IS_REQUIRED' }],
  ['header is required', (l) => delete l.header, { path: 'header', message: 'is required', code: 'FIELD_IS_REQUIRED' }],
  ['body is required', (l) => delete l.body, { path: 'body', message: 'is required', code: 'FIELD_IS_REQUIRED' }],
  [
    'icon must be an object',
    (l) => (l.icon = 'info'),
    { path: 'icon', message: 'must be an object, got "info"', code: 'WRONG_FIELD_VALUE' },
  ],
  [
    'footer must be an object',
    (l) => (l.footer = []),
    { path: 'footer', message: 'must be an object, got an array', code: 'WRONG_FIELD_VALUE' },
  ],
  [
    'undeclared fields are rejected',
    (l) => (l.sidebar = {}),
    { path: 'sidebar', message: `unknown field "sidebar": ${REDUNDANT}`, code: 'FIELD_IS_REDUNDANT' },
  ],
  // IconDto, LogoDto
  [
    'icon.code is required',
    (l) => (l.icon = {}),
    { path: 'icon.code', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'icon.code must not be empty',
    (l) => (l.icon.code = ''),
    { path: 'icon.code', message: 'must not be empty', code: 'WRONG_FIELD_VALUE' },
  ],
  [
    'body.logo is required',
    (l) => delete l.body.logo,
    { path: 'body.logo', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'body.logo.code is required',
    (l) => (l.body.logo = { action: { type: 'redirect', uri: '/' } }),
    { path: 'body.logo.code', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  // HeaderDto, TagDto
  [
    'header.title is required',
    (l) => (l.header = {}),
    { path: 'header.title', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'at most 2 tags',
    (l) =>
      (l.header.tags = {
        a: { title: 'a', type: 'success' },
        b: { title: 'b', type: 'success' },
        c: { title: 'c', type: 'success' },
      }),
    { path: 'header.tags', message: 'at most 2 tags, got 3', code: 'TOO_MANY_ITEMS' },
  ],
  [
    'tag.title is required',
    (l) => (l.header.tags = { t1: { type: 'success' } }),
    { path: 'header.tags.t1.title', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'tag.type is required',
    (l) => (l.header.tags = { t1: { title: 'a' } }),
    {
      path: 'header.tags.t1.type',
      message: 'is required (one of: warning, success, failure, primary, secondary, lavender)',
      code: 'FIELD_IS_REQUIRED',
    },
  ],
  [
    'tag.type is one of six',
    (l) => (l.header.tags = { t1: { title: 'a', type: 'danger' } }),
    {
      path: 'header.tags.t1.type',
      message: 'must be one of warning, success, failure, primary, secondary, lavender; got "danger"',
      code: 'WRONG_FIELD_VALUE',
    },
  ],
  [
    'tag.hideIfReadonly is a flag',
    (l) => (l.header.tags = { t1: { title: 'a', type: 'success', hideIfReadonly: 'yes' } }),
    { path: 'header.tags.t1.hideIfReadonly', message: `${FLAG}; got "yes"`, code: 'WRONG_FIELD_VALUE' },
  ],
  [
    'collection keys use [a-zA-Z0-9_-]',
    (l) => (l.header.tags = { 'status 2': { title: 'a', type: 'success' } }),
    { path: 'header.tags.status 2', message: `key "status 2" ${KEY}`, code: 'KEY_CONTAIN_WRONG_SYMBOLS' },
  ],
  [
    'collection items must be objects',
    (l) => (l.header.tags = { t1: 'warning' }),
    { path: 'header.tags.t1', message: 'must be an object, got "warning"', code: 'WRONG_FIELD_VALUE' },
  ],
  [
    'a collection must be an object or an array',
    (l) => (l.header.tags = 'warning'),
    { path: 'header.tags', message: 'must be an object, got "warning"', code: 'WRONG_FIELD_VALUE' },
  ],
  // BodyDto
  [
    'body.blocks is required',
    (l) => delete l.body.blocks,
    { path: 'body.blocks', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'at least 1 block',
    (l) => (l.body.blocks = {}),
    { path: 'body.blocks', message: 'at least 1 block required, got 0', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'at most 20 blocks',
    (l) => (l.body.blocks = times(21, textBlock)),
    { path: 'body.blocks', message: 'at most 20 blocks, got 21', code: 'TOO_MANY_ITEMS' },
  ],
  // Content blocks
  [
    'block.type is required',
    (l) => delete l.body.blocks.b1.type,
    {
      path: 'body.blocks.b1.type',
      message: 'is required (one of: text, largeText, link, withTitle, lineOfBlocks, deadline)',
      code: 'FIELD_IS_REQUIRED',
    },
  ],
  [
    'only six block types',
    (l) => (l.body.blocks.b1.type = 'image'),
    {
      path: 'body.blocks.b1.type',
      message: 'must be one of text, largeText, link, withTitle, lineOfBlocks, deadline; got "image"',
      code: 'WRONG_FIELD_VALUE',
    },
  ],
  [
    'text needs properties',
    (l) => delete l.body.blocks.b1.properties,
    { path: 'body.blocks.b1.properties', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'text.value is required',
    (l) => (l.body.blocks.b1.properties = { bold: true }),
    { path: 'body.blocks.b1.properties.value', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'text.size is xs/sm/md',
    (l) => (l.body.blocks.b1.properties.size = 'lg'),
    {
      path: 'body.blocks.b1.properties.size',
      message: 'must be one of xs, sm, md; got "lg"',
      code: 'WRONG_FIELD_VALUE',
    },
  ],
  [
    'text.color is base_50/60/70/90',
    (l) => (l.body.blocks.b1.properties.color = 'red'),
    {
      path: 'body.blocks.b1.properties.color',
      message: 'must be one of base_50, base_60, base_70, base_90; got "red"',
      code: 'WRONG_FIELD_VALUE',
    },
  ],
  [
    'text.multiline rejects a string the portal would read as false',
    (l) => (l.body.blocks.b1.properties.multiline = '1'),
    { path: 'body.blocks.b1.properties.multiline', message: `${FLAG}; got "1"`, code: 'WRONG_FIELD_VALUE' },
  ],
  [
    'text.title is a textWithTranslation',
    (l) => (l.body.blocks.b1.properties.title = ['a']),
    {
      path: 'body.blocks.b1.properties.title',
      message: 'must be a string or a {"lang": "text"} object, got an array',
      code: 'WRONG_FIELD_VALUE',
    },
  ],
  [
    'largeText.value is required',
    (l) => (l.body.blocks.b1 = { type: 'largeText', properties: {} }),
    { path: 'body.blocks.b1.properties.value', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'largeText has no title',
    (l) => (l.body.blocks.b1 = { type: 'largeText', properties: { value: 'v', title: 't' } }),
    {
      path: 'body.blocks.b1.properties.title',
      message: `unknown field "title": ${REDUNDANT}`,
      code: 'FIELD_IS_REDUNDANT',
    },
  ],
  [
    'link.text is required',
    (l) => (l.body.blocks.b1 = { type: 'link', properties: { action: { type: 'redirect', uri: '/' } } }),
    { path: 'body.blocks.b1.properties.text', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'link.action is required',
    (l) => (l.body.blocks.b1 = { type: 'link', properties: { text: 'go' } }),
    { path: 'body.blocks.b1.properties.action', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'withTitle.title is required',
    (l) => (l.body.blocks.b1 = { type: 'withTitle', properties: { block: textBlock } }),
    { path: 'body.blocks.b1.properties.title', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'withTitle.block is required',
    (l) => (l.body.blocks.b1 = { type: 'withTitle', properties: { title: 't' } }),
    { path: 'body.blocks.b1.properties.block', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'withTitle.block is text, link or deadline',
    (l) =>
      (l.body.blocks.b1 = {
        type: 'withTitle',
        properties: { title: 't', block: { type: 'largeText', properties: { value: 'x' } } },
      }),
    {
      path: 'body.blocks.b1.properties.block.type',
      message: 'must be one of text, link, deadline; got "largeText"',
      code: 'WRONG_FIELD_VALUE',
    },
  ],
  [
    'withTitle.inline is a flag',
    (l) => (l.body.blocks.b1 = { type: 'withTitle', properties: { title: 't', block: textBlock, inline: 2 } }),
    { path: 'body.blocks.b1.properties.inline', message: `${FLAG}; got 2`, code: 'WRONG_FIELD_VALUE' },
  ],
  [
    'lineOfBlocks.blocks is required',
    (l) => (l.body.blocks.b1 = { type: 'lineOfBlocks', properties: {} }),
    { path: 'body.blocks.b1.properties.blocks', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'lineOfBlocks holds text, link or deadline only',
    (l) =>
      (l.body.blocks.b1 = {
        type: 'lineOfBlocks',
        properties: { blocks: { inner: { type: 'withTitle', properties: { title: 't', block: textBlock } } } },
      }),
    {
      path: 'body.blocks.b1.properties.blocks.inner.type',
      message: 'must be one of text, link, deadline; got "withTitle"',
      code: 'WRONG_FIELD_VALUE',
    },
  ],
  [
    'lineOfBlocks holds at most 20 blocks',
    (l) => (l.body.blocks.b1 = { type: 'lineOfBlocks', properties: { blocks: times(21, textBlock) } }),
    { path: 'body.blocks.b1.properties.blocks', message: 'at most 20 blocks, got 21', code: 'TOO_MANY_ITEMS' },
  ],
  [
    'deadline.readonly is a flag',
    (l) => (l.body.blocks.b1 = { type: 'deadline', properties: { readonly: 'no' } }),
    { path: 'body.blocks.b1.properties.readonly', message: `${FLAG}; got "no"`, code: 'WRONG_FIELD_VALUE' },
  ],
  [
    'scope is web or mobile',
    (l) => (l.body.blocks.b1.properties.scope = 'desktop'),
    {
      path: 'body.blocks.b1.properties.scope',
      message: 'must be one of web, mobile; got "desktop"',
      code: 'WRONG_FIELD_VALUE',
    },
  ],
  [
    'an empty scope is not "everywhere": leave it out',
    (l) => (l.body.blocks.b1.properties.scope = ''),
    {
      path: 'body.blocks.b1.properties.scope',
      message: 'must be one of web, mobile; got ""',
      code: 'WRONG_FIELD_VALUE',
    },
  ],
  // textWithTranslation
  [
    'a translation object is not empty',
    (l) => (l.header.title = {}),
    {
      path: 'header.title',
      message: 'a translation object must contain at least one language',
      code: 'WRONG_FIELD_VALUE',
    },
  ],
  [
    'translation keys are language ids',
    (l) => (l.header.title = { english: 'Hi' }),
    {
      path: 'header.title.english',
      message: '"english" is not a language id (two lowercase letters such as "en" or "de")',
      code: 'WRONG_LANG',
    },
  ],
  [
    'translations are strings',
    (l) => (l.header.title = { en: 5 }),
    { path: 'header.title.en', message: 'the translation must be a string, got number', code: 'WRONG_FIELD_VALUE' },
  ],
  [
    'a textWithTranslation is not a number',
    (l) => (l.header.title = 42),
    {
      path: 'header.title',
      message: 'must be a string or a {"lang": "text"} object, got number',
      code: 'WRONG_FIELD_VALUE',
    },
  ],
  // FooterDto, FooterButtonDto, FooterMenuDto, MenuItemDto
  [
    'at most 2 buttons',
    (l) => (l.footer = { buttons: { a: button, b: button, c: button } }),
    { path: 'footer.buttons', message: 'at most 2 buttons, got 3', code: 'TOO_MANY_ITEMS' },
  ],
  [
    'button.type is primary or secondary',
    (l) => (l.footer = { buttons: { a: { ...button, type: 'danger' } } }),
    {
      path: 'footer.buttons.a.type',
      message: 'must be one of primary, secondary; got "danger"',
      code: 'WRONG_FIELD_VALUE',
    },
  ],
  [
    'button.action is required',
    (l) => (l.footer = { buttons: { a: { title: 'b', type: 'primary' } } }),
    { path: 'footer.buttons.a.action', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'button.title is required',
    (l) => (l.footer = { buttons: { a: { type: 'primary', action: button.action } } }),
    { path: 'footer.buttons.a.title', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'at most 10 menu items',
    (l) => (l.footer = { menu: { items: times(11, item) } }),
    { path: 'footer.menu.items', message: 'at most 10 menu items, got 11', code: 'TOO_MANY_ITEMS' },
  ],
  [
    'menu item action is required',
    (l) => (l.footer = { menu: { items: { m: { title: 'i' } } } }),
    { path: 'footer.menu.items.m.action', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'menu flags are flags',
    (l) => (l.footer = { menu: { showPinItem: 'off' } }),
    { path: 'footer.menu.showPinItem', message: `${FLAG}; got "off"`, code: 'WRONG_FIELD_VALUE' },
  ],
  [
    'menu items keep the key rule',
    (l) => (l.footer = { menu: { items: { 'a.b': item } } }),
    { path: 'footer.menu.items.a.b', message: `key "a.b" ${KEY}`, code: 'KEY_CONTAIN_WRONG_SYMBOLS' },
  ],
  // ActionDto
  [
    'action.type is required',
    (l) => (l.header.titleAction = { uri: '/x' }),
    {
      path: 'header.titleAction.type',
      message: 'is required (one of: redirect, restEvent, openRestApp)',
      code: 'FIELD_IS_REQUIRED',
    },
  ],
  [
    'action.type is redirect, restEvent or openRestApp',
    (l) => (l.header.titleAction = { type: 'open' }),
    {
      path: 'header.titleAction.type',
      message: 'must be one of redirect, restEvent, openRestApp; got "open"',
      code: 'WRONG_FIELD_VALUE',
    },
  ],
  [
    'redirect.uri is required',
    (l) => (l.body.logo.action = { type: 'redirect' }),
    { path: 'body.logo.action.uri', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'restEvent.id is required',
    (l) => (l.header.titleAction = { type: 'restEvent' }),
    { path: 'header.titleAction.id', message: 'is required', code: 'FIELD_IS_REQUIRED' },
  ],
  [
    'restEvent.animationType is loader or disable',
    (l) => (l.header.titleAction = { type: 'restEvent', id: 'x', animationType: 'spin' }),
    {
      path: 'header.titleAction.animationType',
      message: 'must be one of loader, disable; got "spin"',
      code: 'WRONG_FIELD_VALUE',
    },
  ],
  [
    'actionParams holds at most 20 values',
    (l) => (l.header.titleAction = { type: 'restEvent', id: 'x', actionParams: times(21, 1) }),
    { path: 'header.titleAction.actionParams', message: 'at most 20 parameters, got 21', code: 'TOO_MANY_ITEMS' },
  ],
  [
    'actionParams values are scalars',
    (l) => (l.header.titleAction = { type: 'openRestApp', actionParams: { filter: { id: 1 } } }),
    {
      path: 'header.titleAction.actionParams.filter',
      message:
        'an actionParams value must be a string, number or boolean (nested objects are not allowed); got an object',
      code: 'WRONG_FIELD_VALUE',
    },
  ],
  [
    'actionParams keys keep the key rule',
    (l) => (l.header.titleAction = { type: 'openRestApp', actionParams: { 'deal id': 1 } }),
    {
      path: 'header.titleAction.actionParams.deal id',
      message: `key "deal id" ${KEY}`,
      code: 'KEY_CONTAIN_WRONG_SYMBOLS',
    },
  ],
  [
    'sliderParams: width xor leftBoundary',
    (l) => (l.header.titleAction = { type: 'openRestApp', sliderParams: { width: 700, leftBoundary: 100 } }),
    {
      path: 'header.titleAction.sliderParams.leftBoundary',
      message: 'width and leftBoundary cannot be used together; set only one of them',
      code: 'WRONG_FIELD_VALUE',
    },
  ],
  [
    'sliderParams.width is a whole number of pixels',
    (l) => (l.header.titleAction = { type: 'openRestApp', sliderParams: { width: '700px' } }),
    {
      path: 'header.titleAction.sliderParams.width',
      message: 'must be a number, got "700px"',
      code: 'WRONG_FIELD_VALUE',
    },
  ],
  [
    'fields of another action type are redundant',
    (l) => (l.header.titleAction = { type: 'restEvent', id: 'x', uri: '/x' }),
    { path: 'header.titleAction.uri', message: `unknown field "uri": ${REDUNDANT}`, code: 'FIELD_IS_REDUNDANT' },
  ],
];

describe('validateLayout: each rule, broken once', () => {
  it('accepts the minimal layout the cases start from', () => {
    expect(validateLayout(minimal()).ok).toBe(true);
  });

  it.each(cases)('%s', (_rule, mutate, issue) => {
    expect(issuesAfter(mutate)).toEqual([issue]);
  });

  it('rejects a non-object layout at the root', () => {
    expect(validateLayout('layout')).toEqual({
      ok: false,
      issues: [{ path: '', message: 'must be an object, got "layout"', code: 'WRONG_FIELD_VALUE' }],
    });
  });

  it('reports every problem at once, in document order', () => {
    const issues = issuesAfter((l) => {
      delete l.icon;
      l.header.tags = {
        a: { title: 'a', type: 'x' },
        b: { title: 'b', type: 'success' },
        c: { title: 'c', type: 'success' },
      };
      l.footer = { buttons: [button, button, { ...button, type: 'huge' }] };
    });
    expect(issues.map((i) => `${i.path} ${i.code}`)).toEqual([
      'icon FIELD_IS_REQUIRED',
      'header.tags.a.type WRONG_FIELD_VALUE',
      'header.tags TOO_MANY_ITEMS',
      'footer.buttons.2.type WRONG_FIELD_VALUE',
      'footer.buttons TOO_MANY_ITEMS',
    ]);
  });
  it('still counts a collection whose items fail flag or translation rules', () => {
    const issues = issuesAfter((l) => {
      l.header.tags = {
        a: { title: 'a', type: 'success', hideIfReadonly: 'x' },
        b: { title: {}, type: 'success' },
        c: { title: 'c', type: 'success' },
      };
    });
    expect(issues.map((i) => `${i.path} ${i.code}`)).toEqual([
      'header.tags.a.hideIfReadonly WRONG_FIELD_VALUE',
      'header.tags.b.title WRONG_FIELD_VALUE',
      'header.tags TOO_MANY_ITEMS',
    ]);
  });
});

describe('validateLayout: what the portal stores', () => {
  it('keys array collections by index, as PHP keys a JSON list', () => {
    const result = validateLayout({ ...minimal(), footer: { buttons: [button] } });
    expect(result.ok && result.value.footer?.buttons).toEqual({ 0: button });
  });

  it('casts flags and actionParams like the portal', () => {
    const layout = minimal();
    layout.body.blocks.b1.properties.bold = 'Y';
    layout.body.blocks.b1.properties.multiline = 0;
    layout.header.titleAction = { type: 'restEvent', id: 'x', actionParams: { n: 1.5, yes: true, no: false, s: 's' } };
    const result = validateLayout(layout);
    expect(result.ok && result.value.body.blocks.b1?.properties).toEqual({ value: 'v', bold: true, multiline: false });
    expect(result.ok && result.value.header.titleAction).toEqual({
      type: 'restEvent',
      id: 'x',
      actionParams: { n: '1.5', yes: '1', no: '', s: 's' },
    });
  });

  it('refuses the key "__proto__", which a JavaScript object would drop silently', () => {
    const layout = minimal();
    layout.body.blocks = JSON.parse('{"__proto__": {"type": "deadline"}, "b1": {"type": "deadline"}}');
    expect(validateLayout(layout)).toEqual({
      ok: false,
      issues: [
        {
          path: 'body.blocks.__proto__',
          message: 'key "__proto__" is reserved in JavaScript objects; choose another key',
          code: 'KEY_CONTAIN_WRONG_SYMBOLS',
        },
      ],
    });
  });

  it('accepts integer-like and dashed keys', () => {
    const layout = minimal();
    layout.body.blocks = { 0: textBlock, 'a-b_C9': textBlock };
    expect(validateLayout(layout).ok).toBe(true);
  });
});

describe('validateLayout options: the portal icon and logo catalogs', () => {
  const options = { knownIcons: ['call', 'my-icon'], knownLogos: ['notification'] };

  it('accepts codes the portal knows, system or custom', () => {
    const layout = minimal();
    layout.icon.code = 'my-icon';
    expect(validateLayout(layout, options).ok).toBe(true);
  });

  it('rejects codes the portal does not know', () => {
    const layout = minimal();
    layout.body.logo.code = 'rocket';
    expect(validateLayout(layout, options)).toEqual({
      ok: false,
      issues: [
        { path: 'icon.code', message: '"info" is not an icon known to this portal', code: 'WRONG_FIELD_VALUE' },
        { path: 'body.logo.code', message: '"rocket" is not a logo known to this portal', code: 'WRONG_FIELD_VALUE' },
      ],
    });
  });
});

describe('validateLayoutBlocks (RestAppLayoutDto)', () => {
  it('accepts 1..20 blocks and rejects 21', () => {
    expect(validateLayoutBlocks({ blocks: { note: textBlock } }).ok).toBe(true);
    expect(validateLayoutBlocks({ blocks: times(21, textBlock) })).toEqual({
      ok: false,
      issues: [{ path: 'blocks', message: 'at most 20 blocks, got 21', code: 'TOO_MANY_ITEMS' }],
    });
  });
});
