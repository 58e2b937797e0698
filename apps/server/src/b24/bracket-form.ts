// Parses Bitrix24's form bodies (`application/x-www-form-urlencoded` with PHP bracket notation:
// `auth[member_id]=…&data[FIELDS][ID]=1`) into nested plain records.
//
// Bounded and pollution-safe on purpose: the input comes from the internet. Objects have no
// prototype, `__proto__`/`constructor`/`prototype` segments are refused, depth and key counts are
// capped, and a key used both as a value and as a container is an error instead of a silent merge.
import { AppError } from '@b24app/core';

/** A parsed form value: a string, or a record of them for bracketed keys. */
export type FormValue = string | FormRecord;
export interface FormRecord {
  [key: string]: FormValue;
}

export interface FormLimits {
  maxKeys: number;
  maxDepth: number;
  maxKeyLength: number;
  maxValueLength: number;
}

export const DEFAULT_FORM_LIMITS: FormLimits = { maxKeys: 256, maxDepth: 4, maxKeyLength: 128, maxValueLength: 8_192 };

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const SEGMENT = /^[A-Za-z0-9_.:-]*$/;

const bad = (message: string) => new AppError('BAD_REQUEST', message);

export function parseBracketForm(body: string, limits: FormLimits = DEFAULT_FORM_LIMITS): FormRecord {
  const root: FormRecord = Object.create(null);
  if (body.length === 0) return root;
  const pairs = body.split('&');
  if (pairs.length > limits.maxKeys) throw bad(`form has more than ${limits.maxKeys} fields`);

  for (const pair of pairs) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    const key = decode(rawKey);
    const value = decode(rawValue);
    if (key.length === 0) throw bad('form field with an empty name');
    if (key.length > limits.maxKeyLength) throw bad('form field name is too long');
    if (value.length > limits.maxValueLength) throw bad(`form field ${truncate(key)} is too long`);
    const path = splitKey(key);
    if (path.length > limits.maxDepth) throw bad(`form field ${truncate(key)} is nested too deeply`);
    assign(root, path, value, key);
  }
  return root;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replaceAll('+', ' '));
  } catch {
    throw bad('form body is not valid percent-encoding');
  }
}

/** `a[b][c]` → ['a','b','c']. Anything else with brackets is malformed. */
function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open < 0) return [checkSegment(key, key)];
  const head = key.slice(0, open);
  const rest = key.slice(open);
  if (!/^(\[[^[\]]*\])+$/.test(rest)) throw bad(`form field ${truncate(key)} has malformed brackets`);
  const segments = [head, ...rest.slice(1, -1).split('][')];
  return segments.map((s) => checkSegment(s, key));
}

function checkSegment(segment: string, key: string): string {
  if (segment === '') throw bad(`form field ${truncate(key)} uses empty brackets, which are not supported`);
  if (FORBIDDEN.has(segment)) throw bad(`form field ${truncate(key)} uses a reserved name`);
  if (!SEGMENT.test(segment)) throw bad(`form field ${truncate(key)} has unsupported characters in its name`);
  return segment;
}

function assign(root: FormRecord, path: string[], value: string, key: string): void {
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i]!;
    const next = node[seg];
    if (next === undefined) {
      const child: FormRecord = Object.create(null);
      node[seg] = child;
      node = child;
    } else if (typeof next === 'string') {
      throw bad(`form field ${truncate(key)} conflicts with a scalar of the same name`);
    } else {
      node = next;
    }
  }
  const last = path[path.length - 1]!;
  if (typeof node[last] === 'object') throw bad(`form field ${truncate(key)} conflicts with a group of the same name`);
  // PHP keeps the last value of a repeated key; so do we.
  node[last] = value;
}

const truncate = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
