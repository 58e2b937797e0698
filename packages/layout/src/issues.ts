import type { z } from 'zod';

/**
 * The error codes a Bitrix24 portal returns for a rejected layout, fields or badge. The first five are the agreed
 * contract; FIELD_IS_REDUNDANT (an undeclared field) and WRONG_LANG (a translation key that is not a language id)
 * are the portal's own codes for the two remaining DTO rules.
 */
export type LayoutErrorCode =
  | 'TOO_MANY_ITEMS'
  | 'FIELD_IS_REQUIRED'
  | 'WRONG_FIELD_VALUE'
  | 'KEY_CONTAIN_WRONG_SYMBOLS'
  | 'INCOMING_ACTIVITY_CAN_NOT_BE_WITH_DEADLINE'
  | 'FIELD_IS_REDUNDANT'
  | 'WRONG_LANG';

export interface LayoutIssue {
  /** Dot-separated location, e.g. `footer.buttons` or `body.blocks.b1.properties.value`; '' for the input itself. */
  path: string;
  /** A sentence for a developer, without the path: `at most 2 buttons, got 3`. */
  message: string;
  code: LayoutErrorCode;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: LayoutIssue[] };

/** Params carried by the custom issues our schemas raise, so the Bitrix24 code survives zod. */
export interface CodedParams {
  code: LayoutErrorCode;
}

export function coded(code: LayoutErrorCode): CodedParams {
  return { code };
}

/** One line per issue: `footer.buttons: at most 2 buttons, got 3 (TOO_MANY_ITEMS)`. */
export function formatIssues(issues: readonly LayoutIssue[]): string {
  return issues.map((i) => `${i.path === '' ? '(root)' : i.path}: ${i.message} (${i.code})`).join('\n');
}

export function joinPath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.');
}

/** What a value is, in the words a developer expects (`array`, `null`, not `object`). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}

const EXPECTED_WORDS: Record<string, string> = {
  object: 'an object',
  record: 'an object',
  array: 'an array',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

function isMissing(issue: z.core.$ZodIssue): boolean {
  return !('input' in issue) || issue.input === undefined;
}

/** Turns zod issues into Bitrix24-coded issues with readable messages. Parse with `reportInput: true`. */
export function toLayoutIssues(zodIssues: readonly z.core.$ZodIssue[]): LayoutIssue[] {
  const out: LayoutIssue[] = [];
  for (const issue of zodIssues) {
    const path = joinPath(issue.path);
    switch (issue.code) {
      case 'custom': {
        // Our superRefine issues carry their code and a complete sentence; plain refinements say what was expected.
        const code = (issue.params as Partial<CodedParams> | undefined)?.code;
        out.push(
          code !== undefined
            ? { path, message: issue.message, code }
            : { path, message: `${issue.message}; got ${describeValue(issue.input)}`, code: 'WRONG_FIELD_VALUE' },
        );
        break;
      }
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          out.push({
            path: joinPath([...issue.path, key]),
            message: `unknown field "${key}": Bitrix24 rejects fields the structure does not declare`,
            code: 'FIELD_IS_REDUNDANT',
          });
        }
        break;
      case 'invalid_key':
        out.push({
          path,
          message: `key ${describeValue(issue.input)} may contain only Latin letters, digits, "_" and "-"`,
          code: 'KEY_CONTAIN_WRONG_SYMBOLS',
        });
        break;
      case 'invalid_union': {
        if (issue.discriminator !== undefined) {
          const options = ('options' in issue ? (issue.options ?? []) : []).map(String).join(', ');
          const got = (issue.input as Record<string, unknown> | undefined)?.[issue.discriminator];
          out.push(
            got === undefined
              ? { path, message: `is required (one of: ${options})`, code: 'FIELD_IS_REQUIRED' }
              : { path, message: `must be one of ${options}; got ${describeValue(got)}`, code: 'WRONG_FIELD_VALUE' },
          );
        } else {
          out.push(
            isMissing(issue)
              ? { path, message: 'is required', code: 'FIELD_IS_REQUIRED' }
              : { path, message: `${issue.message}; got ${describeValue(issue.input)}`, code: 'WRONG_FIELD_VALUE' },
          );
        }
        break;
      }
      case 'invalid_type':
        out.push(
          isMissing(issue)
            ? { path, message: 'is required', code: 'FIELD_IS_REQUIRED' }
            : {
                path,
                message: `must be ${EXPECTED_WORDS[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}`,
                code: 'WRONG_FIELD_VALUE',
              },
        );
        break;
      case 'invalid_value': {
        if (isMissing(issue)) {
          out.push({ path, message: `is required (one of: ${issue.values.join(', ')})`, code: 'FIELD_IS_REQUIRED' });
        } else {
          const allowed = issue.values.map((v) => (typeof v === 'string' ? v : String(v))).join(', ');
          out.push({
            path,
            message: `must be ${issue.values.length === 1 ? allowed : `one of ${allowed}`}; got ${describeValue(issue.input)}`,
            code: 'WRONG_FIELD_VALUE',
          });
        }
        break;
      }
      case 'too_small':
        out.push({
          path,
          message:
            issue.origin === 'string' && Number(issue.minimum) === 1
              ? 'must not be empty'
              : `must be at least ${String(issue.minimum)}, got ${describeValue(issue.input)}`,
          code: 'WRONG_FIELD_VALUE',
        });
        break;
      case 'too_big':
        out.push({
          path,
          message: `must be at most ${String(issue.maximum)}, got ${describeValue(issue.input)}`,
          code: issue.origin === 'array' ? 'TOO_MANY_ITEMS' : 'WRONG_FIELD_VALUE',
        });
        break;
      default:
        // invalid_format and the rest: the schema's own message (set where it matters) is the best we have.
        out.push({ path, message: `${issue.message}; got ${describeValue(issue.input)}`, code: 'WRONG_FIELD_VALUE' });
    }
  }
  return out;
}
