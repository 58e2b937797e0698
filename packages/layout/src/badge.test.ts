import { describe, expect, it } from 'vitest';
import type { LayoutIssue } from './issues.js';
import { validateBadge } from './validate.js';

function issues(input: unknown): LayoutIssue[] {
  const result = validateBadge(input);
  return result.ok ? [] : result.issues;
}

const valid = { code: 'missedCall', title: 'Call Status', value: 'Missed', type: 'failure' };

describe('validateBadge', () => {
  it('accepts the crm.activity.badge.add example and strips other parameters', () => {
    expect(validateBadge({ ...valid, extra: 1 })).toEqual({ ok: true, value: valid });
  });

  it('accepts translated title and value', () => {
    expect(issues({ ...valid, title: { de: 'Achtung', en: 'Alarm' }, value: { en: 'Missed' } })).toEqual([]);
  });

  it('requires all four fields', () => {
    expect(issues({})).toEqual([
      { path: 'code', message: 'is required', code: 'FIELD_IS_REQUIRED' },
      { path: 'title', message: 'is required', code: 'FIELD_IS_REQUIRED' },
      { path: 'value', message: 'is required', code: 'FIELD_IS_REQUIRED' },
      {
        path: 'type',
        message: 'is required (one of: success, failure, warning, primary, secondary)',
        code: 'FIELD_IS_REQUIRED',
      },
    ]);
  });

  it('code must be non-empty and match [a-zA-Z0-9_-]', () => {
    expect(issues({ ...valid, code: '' })).toEqual([
      { path: 'code', message: 'must not be empty', code: 'FIELD_IS_REQUIRED' },
    ]);
    expect(issues({ ...valid, code: 'missed call' })).toEqual([
      {
        path: 'code',
        message: 'may contain only Latin letters, digits, "_" and "-" (e.g. missedCall), got "missed call"',
        code: 'WRONG_FIELD_VALUE',
      },
    ]);
  });

  it('title and value must not be empty, nor any translation', () => {
    expect(issues({ ...valid, title: '', value: { en: '' } })).toEqual([
      { path: 'title', message: 'must not be empty', code: 'FIELD_IS_REQUIRED' },
      { path: 'value.en', message: 'a translation must not be empty', code: 'WRONG_FIELD_VALUE' },
    ]);
  });

  it('title keys are language ids', () => {
    expect(issues({ ...valid, title: { English: 'x' } })).toEqual([
      {
        path: 'title.English',
        message: '"English" is not a language id (two lowercase letters such as "en" or "de")',
        code: 'WRONG_LANG',
      },
    ]);
  });

  it('type is one of five (no lavender for badges)', () => {
    expect(issues({ ...valid, type: 'lavender' })).toEqual([
      {
        path: 'type',
        message: 'must be one of success, failure, warning, primary, secondary; got "lavender"',
        code: 'WRONG_FIELD_VALUE',
      },
    ]);
  });
});
