import fc from 'fast-check';

/**
 * Generators of hostile POST /b24/events requests: every one of them must be refused with a 4xx.
 * They start from the real shape of an ONCRMTIMELINEITEMACTION delivery (protocol §3.3) and break it
 * in one way each. `genuine` is the installed portal's identity: bodies that carry it are broken in a
 * field the schema must refuse (so none of them may ever be a click); all others carry a made-up one.
 */
export interface FuzzRequest {
  kind: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Sent without content-length, in chunks. */
  chunked?: boolean;
}

export interface Identity {
  memberId: string;
  applicationToken: string;
  domain: string;
}

const FORM = 'application/x-www-form-urlencoded';
const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const enc = (s: string) => encodeURIComponent(s);
const formOf = (pairs: [string, string][]) => pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
const form = (s: string, headers: Record<string, string> = { 'content-type': FORM }) => ({
  headers,
  body: Buffer.from(s, 'utf8'),
});

/** The delivery's fields in the captured order (protocol §2–3). */
function envelope(id: Identity, o: { activityId?: string; actionId?: string; ts?: string } = {}): [string, string][] {
  return [
    ['event', 'ONCRMTIMELINEITEMACTION'],
    ['event_handler_id', '7'],
    ['data[approvalId]', 'b8a4c0de-1111-4e22-9333-444455556666'],
    ['data[entityTypeId]', '2'],
    ['data[entityId]', '15'],
    ['data[activityId]', o.activityId ?? '8903'],
    ['data[id]', o.actionId ?? 'approve'],
    ['ts', o.ts ?? '1727018926'],
    ['auth[access_token]', 'be45f0660071849a0058f18a000000010000077261ef50fc26f1357adbd86a052c9e48'],
    ['auth[expires]', '1727022526'],
    ['auth[expires_in]', '3600'],
    ['auth[scope]', 'crm'],
    ['auth[domain]', id.domain],
    ['auth[server_endpoint]', 'https://oauth.bitrix.info/rest/'],
    ['auth[status]', 'L'],
    ['auth[client_endpoint]', `https://${id.domain}/rest/`],
    ['auth[member_id]', id.memberId],
    ['auth[user_id]', '1'],
    ['auth[application_token]', id.applicationToken],
  ];
}

const madeUpIdentity: fc.Arbitrary<Identity> = fc.record({
  memberId: hex(32),
  applicationToken: hex(32),
  domain: fc.constantFrom('example.bitrix24.com', 'evil.example', 'a.bitrix24.de'),
});

const BAD_PERCENT = ['%', '%G1', '%E0%A4', '%ED%A0%80', '%C0%AF', '%FF', '%2', '%%', '%u0041', '%F0%9F%98'];

/** 1. A valid-looking body where one key or value carries invalid percent-encoding. */
const badPercent = fc
  .tuple(madeUpIdentity, fc.nat(18), fc.boolean(), fc.constantFrom(...BAD_PERCENT))
  .map(([id, i, inKey, bad]) => {
    const parts = envelope(id).map(([k, v]) => `${enc(k)}=${enc(v)}`);
    const [k, v] = parts[i % parts.length]!.split('=');
    parts[i % parts.length] = inKey ? `${k}${bad}=${v}` : `${k}=${v}${bad}`;
    return { kind: 'bad-percent', ...form(parts.join('&')) };
  });

/** 2. Deep or malformed brackets. */
const deepBrackets = fc
  .tuple(
    madeUpIdentity,
    fc.oneof(
      fc.integer({ min: 5, max: 3_000 }).map((d) => `data${'[x]'.repeat(d)}`),
      fc.integer({ min: 5, max: 500 }).map((d) => `${'['.repeat(d)}a${']'.repeat(d)}`),
      fc.constantFrom('a[b', 'a]b[', 'a[[b]]', '[a]', 'a[]', 'a[b]c', 'a[b][', 'data[]', 'auth[][member_id]', 'a[b]]'),
      fc.string({ minLength: 1, maxLength: 20 }).map((s) => `data[${s}][${s}]`),
    ),
  )
  .map(([id, key]) => ({ kind: 'deep-brackets', ...form(`${formOf(envelope(id))}&${enc(key)}=1`) }));

/** 3. Prototype pollution attempts, in clear and percent-encoded, at every depth. */
const POLLUTING_KEYS = [
  '__proto__[polluted]',
  '__proto__',
  'constructor[prototype][polluted]',
  'prototype[polluted]',
  'auth[__proto__][polluted]',
  'data[__proto__][polluted]',
  'data[constructor][prototype][polluted]',
  'data[x][__proto__][isAdmin]',
  'auth[constructor]',
  'data[prototype]',
];
const pollution = fc
  .tuple(
    fc.oneof(madeUpIdentity, fc.constant(null)),
    fc.constantFrom(...POLLUTING_KEYS),
    fc.boolean(),
    fc.constantFrom('1', 'yes', 'true'),
  )
  .map(([id, key, encodeAll, value]) => {
    const k = encodeAll ? [...key].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('') : key;
    const pair = `${k}=${value}`;
    // Before and after the real fields: a parser that merges in order is tried both ways.
    const body = id ? `${pair}&${formOf(envelope(id))}&${pair}` : pair;
    return { kind: 'pollution', ...form(body) };
  });

/** 4. Bodies above the 64 kB limit, with and without content-length. */
const oversize = fc
  .tuple(madeUpIdentity, fc.integer({ min: 64 * 1024 + 1, max: 320 * 1024 }), fc.boolean(), fc.boolean())
  .map(([id, size, chunked, manyFields]) => {
    const head = formOf(envelope(id));
    const filler = manyFields ? '&x=1'.repeat(Math.ceil(size / 4)) : `&data[big]=${'A'.repeat(size)}`;
    return { kind: 'oversize', chunked, ...form(`${head}${filler}`) };
  });

/** 5. A well-formed body under a wrong or unusable content type or encoding. */
const contentTypes = fc
  .tuple(
    madeUpIdentity,
    fc.constantFrom<Record<string, string>>(
      {},
      { 'content-type': 'application/json' },
      { 'content-type': 'text/plain' },
      { 'content-type': 'multipart/form-data; boundary=xyz' },
      { 'content-type': 'application/xml' },
      { 'content-type': `${FORM}; charset=utf-16` },
      { 'content-type': `${FORM}; charset=koi8-r` },
      { 'content-type': `${FORM}; charset=no-such-charset` },
      { 'content-type': FORM, 'content-encoding': 'gzip' },
      { 'content-type': FORM, 'content-encoding': 'deflate' },
      { 'content-type': FORM, 'content-encoding': 'br' },
      { 'content-type': FORM, 'content-encoding': 'x-unknown' },
      { 'content-type': 'application/x-www-form-urlencodedX' },
      { 'content-type': ';;;' },
    ),
    fc.boolean(),
  )
  .map(([id, headers, asJson]) => {
    const body = asJson
      ? JSON.stringify({
          event: 'ONCRMTIMELINEITEMACTION',
          __proto__: { polluted: 1 },
          auth: { member_id: id.memberId },
        })
      : formOf(envelope(id));
    return { kind: 'content-type', headers, body: Buffer.from(body) };
  });

/** Values the schema must refuse for an integer field. */
const BAD_INTS = ['', '-1', '1.5', '1e3', ' 1', '0x1F', 'abc', '99999999999', '9999999999', '2147483648', '１２'];
const TOO_LONG = (n: number) => 'x'.repeat(n);

/**
 * 6. The installed portal's genuine identity, with one field the schema must refuse: these get past
 * authentication only if validation is broken, so they probe the schema and whatever sits behind it.
 */
const wrongTypes = (genuine: Identity) =>
  fc
    .tuple(
      fc.oneof(
        fc
          .tuple(
            fc.constantFrom('data[activityId]', 'data[entityTypeId]', 'data[entityId]', 'ts', 'auth[user_id]'),
            fc.constantFrom(...BAD_INTS),
          )
          .map(([k, v]) => ({ set: { [k]: v } as Record<string, string> })),
        fc
          .constantFrom<Record<string, string>>(
            { 'data[id]': '' },
            { 'data[id]': TOO_LONG(65) },
            { 'data[note]': TOO_LONG(1_025) },
            { 'auth[member_id]': genuine.memberId.slice(1) },
            { 'auth[member_id]': `${genuine.memberId.slice(1)}g` },
            { 'auth[domain]': '' },
            { 'auth[domain]': TOO_LONG(256) },
            { 'auth[client_endpoint]': TOO_LONG(513) },
            { event: 'ONCRMTIMELINEITEMACTIONX' },
            { event: '' },
            { event: 'ONCRMDEALADD' },
            { event_handler_id: TOO_LONG(33) },
            { 'auth[expires]': 'soon' },
          )
          .map((set) => ({ set })),
        fc
          .constantFrom(
            'data[id]',
            'data[activityId]',
            'data[entityTypeId]',
            'event',
            'auth[member_id]',
            'auth[domain]',
          )
          .map((drop) => ({ drop })),
        fc.constantFrom('data', 'auth').map((scalar) => ({ scalar })),
      ),
      fc.nat(),
    )
    .map(([m, n]) => {
      // A fresh ts per body: were one ever accepted, it would be a new click, not a duplicate, and be seen.
      let pairs = envelope(genuine, { ts: String(1_700_000_000 + n) });
      if ('set' in m && m.set) pairs = pairs.map(([k, v]) => [k, k in m.set ? m.set[k]! : v]);
      if ('set' in m && m.set)
        for (const [k, v] of Object.entries(m.set)) if (!pairs.some(([pk]) => pk === k)) pairs.push([k, v]);
      if ('drop' in m && m.drop) pairs = pairs.filter(([k]) => k !== m.drop);
      if ('scalar' in m && m.scalar) pairs = [...pairs.filter(([k]) => !k.startsWith(`${m.scalar}[`)), [m.scalar, '1']];
      return { kind: 'wrong-types', ...form(formOf(pairs)) };
    });

/** 7. Random bytes announced as a form. */
const randomBytes = fc
  .uint8Array({ minLength: 0, maxLength: 2_048 })
  .map((bytes) => ({ kind: 'random-bytes', headers: { 'content-type': FORM }, body: Buffer.from(bytes) }));

/** 8. Well-formed deliveries from portals we do not know (or with a made-up token). */
const unknownPortal = fc
  .tuple(madeUpIdentity, fc.constantFrom('approve', 'reject', 'other'), fc.integer({ min: 1, max: 2 ** 31 - 1 }))
  .map(([id, actionId, activityId]) => ({
    kind: 'unknown-portal',
    ...form(formOf(envelope(id, { actionId, activityId: String(activityId) }))),
  }));

/** Other event types with wrong shapes, always with a made-up identity (never uninstall the real portal). */
const otherEvents = fc
  .tuple(madeUpIdentity, fc.constantFrom('ONAPPINSTALL', 'ONAPPUPDATE', 'ONAPPUNINSTALL', 'onappuninstall'))
  .map(([id, event]) => {
    const pairs = envelope(id).map(([k, v]): [string, string] => (k === 'event' ? [k, event] : [k, v]));
    return { kind: 'other-events', ...form(formOf([...pairs, ['auth[refresh_token]', 'r'], ['data[CLEAN]', '1']])) };
  });

/** The whole mix, with the number of requests per kind. */
export function fuzzRequests(genuine: Identity, seed: number): FuzzRequest[] {
  const plan: [fc.Arbitrary<FuzzRequest>, number][] = [
    [badPercent, 1_400],
    [deepBrackets, 1_400],
    [pollution, 1_400],
    [oversize, 250],
    [contentTypes, 1_400],
    [wrongTypes(genuine), 2_600],
    [randomBytes, 1_400],
    [unknownPortal, 1_000],
    [otherEvents, 400],
  ];
  return plan.flatMap(([arb, n], i) => fc.sample(arb, { seed: seed + i, numRuns: n }));
}
