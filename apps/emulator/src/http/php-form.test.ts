import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodePhpForm, parsePhpForm, phpUrlencode } from './php-form.js';

describe('parsePhpForm', () => {
  it('parses the captured ONCRMCONTACTADD body into nested objects', () => {
    const body =
      'event=ONCRMCONTACTADD&event_handler_id=58&data%5BFIELDS%5D%5BID%5D=134806&ts=1727018926' +
      '&auth%5Bscope%5D=crm%2Cplacement%2Cuser_brief&auth%5Bmember_id%5D=010b';
    expect(parsePhpForm(body)).toEqual({
      event: 'ONCRMCONTACTADD',
      event_handler_id: '58',
      data: { FIELDS: { ID: '134806' } },
      ts: '1727018926',
      auth: { scope: 'crm,placement,user_brief', member_id: '010b' },
    });
  });

  it('turns [] appends and 0..n keys into lists and decodes + as space', () => {
    expect(parsePhpForm('a[]=1&a[]=2&b[0]=x&b[1]=y&c=hello+world')).toEqual({
      a: ['1', '2'],
      b: ['x', 'y'],
      c: 'hello world',
    });
  });

  it('ignores prototype-polluting keys', () => {
    const parsed = parsePhpForm('auth%5B__proto__%5D%5Bx%5D=1&constructor=2&ok=1');
    expect(parsed).toEqual({ ok: '1' });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('keeps a key without value as an empty string', () => {
    expect(parsePhpForm('flag&x=')).toEqual({ flag: '', x: '' });
  });
});

describe('encodePhpForm', () => {
  it('encodes nested data in bracket notation in insertion order with strings only', () => {
    const s = encodePhpForm({ event: 'X', data: { id: 'confirm', n: 15, ok: true, no: false }, list: [1, 2] });
    expect(s).toBe(
      'event=X&data%5Bid%5D=confirm&data%5Bn%5D=15&data%5Bok%5D=1&data%5Bno%5D=&list%5B0%5D=1&list%5B1%5D=2',
    );
  });

  it('encodes like PHP urlencode', () => {
    expect(phpUrlencode('https://a.b/rest/ x*~')).toBe('https%3A%2F%2Fa.b%2Frest%2F+x%2A%7E');
  });

  it('round-trips arbitrary string trees', () => {
    const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, fc.string(), fc.dictionary(key, tie('node'), { minKeys: 1, maxKeys: 4 })),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(key, tree, { minKeys: 1, maxKeys: 4 }), (obj) => {
        expect(parsePhpForm(encodePhpForm(obj))).toEqual(obj);
      }),
    );
  });
});
