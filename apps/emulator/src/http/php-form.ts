// PHP-style form codec: the bracket notation Bitrix24 speaks on the wire (`data[FIELDS][ID]=1`).
// Decoding follows parse_str (nested keys, `[]` appends); encoding follows http_build_query with
// urlencode (spaces as `+`, everything but [A-Za-z0-9_.-] percent-encoded) and keeps insertion order.

export type FormValue = string | FormObject | FormValue[];
export interface FormObject {
  [key: string]: FormValue;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function decodeComponent(s: string): string {
  const spaced = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** Splits `a[b][]` into ['a', 'b', ''] like PHP does; a key without brackets is one segment. */
function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const segments = [key.slice(0, open)];
  const re = /\[([^\]]*)\]/g;
  re.lastIndex = open;
  let m: RegExpExecArray | null = re.exec(key);
  let consumed = open;
  while (m && m.index === consumed) {
    segments.push(m[1] ?? '');
    consumed = re.lastIndex;
    m = re.exec(key);
  }
  return segments;
}

type Mutable = Record<string, unknown>;

function nextIndex(obj: Mutable): string {
  let max = -1;
  for (const k of Object.keys(obj)) {
    if (/^\d+$/.test(k)) max = Math.max(max, Number(k));
  }
  return String(max + 1);
}

/** Objects keyed exactly 0..n-1 become arrays (PHP list semantics). */
function listify(value: unknown): FormValue {
  if (typeof value === 'string') return value;
  const obj = value as Mutable;
  const keys = Object.keys(obj);
  const out: Mutable = {};
  for (const k of keys) out[k] = listify(obj[k]);
  const isList = keys.length > 0 && keys.every((k, i) => k === String(i));
  if (isList) return keys.map((k) => out[k] as FormValue);
  return out as FormObject;
}

export function parsePhpForm(input: string): FormObject {
  const root: Mutable = {};
  if (!input) return root as FormObject;
  for (const pair of input.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
    const segments = splitKey(rawKey);
    if (segments.some((s) => FORBIDDEN_KEYS.has(s))) continue;
    let node: Mutable = root;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i] === '' ? nextIndex(node) : (segments[i] as string);
      if (i === segments.length - 1) {
        node[seg] = value;
      } else {
        const child = node[seg];
        if (typeof child !== 'object' || child === null) node[seg] = {};
        node = node[seg] as Mutable;
      }
    }
  }
  return listify(root) as FormObject;
}

/** PHP urlencode(): RFC1738-ish, spaces as '+'. */
export function phpUrlencode(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function scalarToString(v: unknown): string {
  if (v === true) return '1';
  if (v === false || v === null || v === undefined) return '';
  return String(v);
}

/** http_build_query: nested objects/arrays in bracket notation, all scalars as strings, insertion order kept. */
export function encodePhpForm(obj: Record<string, unknown>): string {
  const parts: string[] = [];
  const walk = (prefix: string, value: unknown): void => {
    if (value !== null && typeof value === 'object') {
      const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
      for (const [k, v] of entries) walk(`${prefix}[${k}]`, v);
      return;
    }
    // PHP drops nulls from http_build_query
    if (value === null || value === undefined) return;
    parts.push(`${phpUrlencode(prefix)}=${phpUrlencode(scalarToString(value))}`);
  };
  for (const [k, v] of Object.entries(obj)) walk(k, v);
  return parts.join('&');
}
