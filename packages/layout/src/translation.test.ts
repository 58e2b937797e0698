import { describe, expect, it } from 'vitest';
import { formatIssues } from './issues.js';
import { resolveText } from './translation.js';

describe('resolveText: current language, then en, then the first translation', () => {
  it('returns a plain string as is', () => {
    expect(resolveText('Save', 'de')).toBe('Save');
  });

  it('prefers the current language', () => {
    expect(resolveText({ de: 'Speichern', en: 'Save' }, 'de')).toBe('Speichern');
  });

  it('falls back to English', () => {
    expect(resolveText({ de: 'Speichern', en: 'Save' }, 'fr')).toBe('Save');
  });

  it('falls back to the first translation when there is no English', () => {
    expect(resolveText({ ru: 'Сохранить', de: 'Speichern' }, 'fr')).toBe('Сохранить');
  });

  it('keeps an empty current translation rather than falling back', () => {
    expect(resolveText({ de: '', en: 'Save' }, 'de')).toBe('');
  });

  it('resolves an empty object to an empty string', () => {
    expect(resolveText({}, 'en')).toBe('');
  });

  it('ignores inherited keys', () => {
    expect(resolveText({ en: 'Save' }, 'constructor')).toBe('Save');
  });
});

describe('formatIssues', () => {
  it('prints one line per issue with its path and code', () => {
    expect(
      formatIssues([
        { path: 'footer.buttons', message: 'at most 2 buttons, got 3', code: 'TOO_MANY_ITEMS' },
        { path: '', message: 'must be an object, got null', code: 'WRONG_FIELD_VALUE' },
      ]),
    ).toBe(
      'footer.buttons: at most 2 buttons, got 3 (TOO_MANY_ITEMS)\n(root): must be an object, got null (WRONG_FIELD_VALUE)',
    );
  });
});
