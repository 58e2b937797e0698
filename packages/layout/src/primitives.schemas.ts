import { z } from 'zod';
import { SCOPES } from './catalogs.js';
import { coded } from './issues.js';
import type { TextWithTranslation } from './translation.js';

/** Collection keys Bitrix24 accepts (integers also pass: they are digits). */
export const COLLECTION_KEY_PATTERN = /^[a-zA-Z0-9_-]+$/;
/** Portal language ids (`en`, `de`, `ru`, `ua`, `sc`, ...) are two lowercase letters. */
export const LANGUAGE_ID_PATTERN = /^[a-z]{2}$/;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * textWithTranslation: a string, or a non-empty object of `{languageId: text}`.
 * Checked by hand so that each bad translation gets its own path and code.
 */
export const textWithTranslationSchema = z.custom<TextWithTranslation>().superRefine((value, ctx) => {
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', message: 'is required', params: coded('FIELD_IS_REQUIRED') });
    return;
  }
  if (typeof value === 'string') return;
  if (!isPlainObject(value)) {
    ctx.addIssue({
      code: 'custom',
      message: `must be a string or a {"lang": "text"} object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
      params: coded('WRONG_FIELD_VALUE'),
    });
    return;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) {
    ctx.addIssue({
      code: 'custom',
      message: 'a translation object must contain at least one language',
      params: coded('WRONG_FIELD_VALUE'),
    });
  }
  for (const [lang, text] of entries) {
    if (!LANGUAGE_ID_PATTERN.test(lang)) {
      ctx.addIssue({
        code: 'custom',
        path: [lang],
        message: `"${lang}" is not a language id (two lowercase letters such as "en" or "de")`,
        params: coded('WRONG_LANG'),
      });
    } else if (typeof text !== 'string') {
      ctx.addIssue({
        code: 'custom',
        path: [lang],
        message: `the translation must be a string, got ${text === null ? 'null' : typeof text}`,
        params: coded('WRONG_FIELD_VALUE'),
      });
    }
  }
});

const FLAG_STRINGS = /^(y|n|true|false)$/i;
const TRUE_STRINGS = /^(y|true)$/i;

/**
 * A layout boolean. The portal casts strings case-insensitively ("Y"/"true" are true, any other string is false),
 * so the docs' own `"showPostponeItem": "false"` works. We accept the unambiguous spellings and reject the rest:
 * the portal would silently read "1" or "yes" as false.
 */
export const flagSchema = z
  .custom<boolean | 0 | 1 | string>(
    (v) => typeof v === 'boolean' || v === 0 || v === 1 || (typeof v === 'string' && FLAG_STRINGS.test(v)),
    {
      error: 'must be true or false ("Y"/"N" and "true"/"false" also work; Bitrix24 reads any other string as false)',
      abort: false, // z.custom aborts by default, which would hide sibling rules such as collection counts
    },
  )
  .transform((v): boolean => (typeof v === 'string' ? TRUE_STRINGS.test(v) : Boolean(v)));

export const scopeSchema = z.enum(SCOPES);

export const nonEmptyStringSchema = z.string().min(1);

function toRecord(value: unknown, ctx: z.RefinementCtx): unknown {
  // A JSON array is a PHP list: its integer keys are valid collection keys.
  if (Array.isArray(value)) return Object.fromEntries(value.map((item, index) => [String(index), item]));
  // "__proto__" passes the portal's pattern, but zod (like any plain JS object) would drop it silently.
  if (isPlainObject(value) && Object.hasOwn(value, '__proto__')) {
    ctx.addIssue({
      code: 'custom',
      path: ['__proto__'],
      message: 'key "__proto__" is reserved in JavaScript objects; choose another key',
      params: coded('KEY_CONTAIN_WRONG_SYMBOLS'),
    });
  }
  return value;
}

export interface CollectionRules {
  /** Singular and plural nouns for messages: ['button', 'buttons']. */
  noun: readonly [string, string];
  max: number;
  min?: number;
}

/**
 * An associative collection (`blocks`, `buttons`, `tags`, `items`, `actionParams`): an object keyed by
 * `^[a-zA-Z0-9_-]+$` (or a JSON array), with a count limit. Arrays come out as objects keyed "0", "1", ...
 */
export function collectionSchema<T extends z.ZodType>(item: T, rules: CollectionRules) {
  const [one, many] = rules.noun;
  return z.preprocess(toRecord, z.record(z.string().regex(COLLECTION_KEY_PATTERN), item)).superRefine(
    (value, ctx) => {
      const count = Object.keys(value).length;
      if (count > rules.max) {
        ctx.addIssue({
          code: 'custom',
          message: `at most ${rules.max} ${rules.max === 1 ? one : many}, got ${count}`,
          params: coded('TOO_MANY_ITEMS'),
        });
      }
      if (rules.min !== undefined && count < rules.min) {
        ctx.addIssue({
          code: 'custom',
          message: `at least ${rules.min} ${rules.min === 1 ? one : many} required, got ${count}`,
          params: coded('FIELD_IS_REQUIRED'),
        });
      }
    },
    // Count even when some items are invalid: the portal reports every problem at once.
    { when: (payload) => isPlainObject(payload.value) },
  );
}
