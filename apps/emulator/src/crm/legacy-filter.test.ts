import { describe, expect, it } from 'vitest';
import { matchesFilter } from './legacy-filter.js';

const row = {
  ID: '15',
  OWNER_TYPE_ID: '2',
  PROVIDER_ID: 'CONFIGURABLE_REST_APP',
  SUBJECT: 'Incoming call',
  COMPLETED: 'N',
};

describe('matchesFilter', () => {
  it('matches equality with numbers and strings alike, case-insensitive keys', () => {
    expect(matchesFilter(row, { PROVIDER_ID: 'CONFIGURABLE_REST_APP', owner_type_id: 2 })).toBe(true);
    expect(matchesFilter(row, { '=ID': '16' })).toBe(false);
  });

  it('supports comparison, negation, IN and contains', () => {
    expect(matchesFilter(row, { '>ID': 9, '<=ID': 15 })).toBe(true);
    expect(matchesFilter(row, { '>ID': 15 })).toBe(false);
    expect(matchesFilter(row, { '!COMPLETED': 'Y' })).toBe(true);
    expect(matchesFilter(row, { '@ID': [1, 15] })).toBe(true);
    expect(matchesFilter(row, { ID: [1, 2] })).toBe(false);
    expect(matchesFilter(row, { '%SUBJECT': 'CALL' })).toBe(true);
  });

  it('never matches unknown fields', () => {
    expect(matchesFilter(row, { NOPE: 1 })).toBe(false);
  });
});
