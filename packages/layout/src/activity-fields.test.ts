import { describe, expect, it } from 'vitest';
import type { LayoutIssue } from './issues.js';
import { validateActivityFields } from './validate.js';

function issues(input: unknown): LayoutIssue[] {
  const result = validateActivityFields(input);
  return result.ok ? [] : result.issues;
}

const FLAG = 'must be one of "Y", "N", true, false, 1, 0 (also "y", "n", "1", "0", "true", "false")';
const INCOMING: LayoutIssue = {
  path: 'deadline',
  message: 'an incoming activity (isIncomingChannel) cannot have a deadline',
  code: 'INCOMING_ACTIVITY_CAN_NOT_BE_WITH_DEADLINE',
};
const DEADLINE = '2025-02-01T01:00:00+03:00';

describe('validateActivityFields', () => {
  it('normalises values the way the portal stores them and drops unknown keys', () => {
    expect(
      validateActivityFields({
        typeId: 'CONFIGURABLE',
        completed: 'Y',
        isIncomingChannel: '0',
        deadline: DEADLINE,
        pingOffsets: [60, '60', 300, 0],
        responsibleId: '5',
        badgeCode: '',
        originatorId: 'my-sys',
        originId: null,
        subject: 'ignored by the portal',
      }),
    ).toEqual({
      ok: true,
      value: {
        typeId: 'CONFIGURABLE',
        completed: true,
        isIncomingChannel: false,
        deadline: DEADLINE,
        pingOffsets: [60, 300, 0],
        responsibleId: 5,
        badgeCode: '',
        originatorId: 'my-sys',
        originId: null,
      },
    });
  });

  it.each([['Y'], ['y'], [true], [1], ['1'], ['true']])('reads %j as true', (value) => {
    const result = validateActivityFields({ completed: value });
    expect(result.ok && result.value.completed).toBe(true);
  });

  it.each([['N'], ['n'], [false], [0], ['0'], ['false']])('reads %j as false', (value) => {
    const result = validateActivityFields({ completed: value });
    expect(result.ok && result.value.completed).toBe(false);
  });

  it.each([['yes'], ['TRUE'], [2], [null]])('rejects the flag %j', (value) => {
    expect(issues({ isIncomingChannel: value })).toEqual([
      {
        path: 'isIncomingChannel',
        message: `${FLAG}; got ${value === null ? 'null' : JSON.stringify(value)}`,
        code: 'WRONG_FIELD_VALUE',
      },
    ]);
  });

  it.each([['Y'], [true], [1], ['1'], ['true'], ['y']])('an incoming activity (%j) cannot have a deadline', (flag) => {
    expect(issues({ isIncomingChannel: flag, deadline: DEADLINE })).toEqual([INCOMING]);
  });

  it('an incoming activity without a deadline, or with an empty one, is fine', () => {
    expect(issues({ isIncomingChannel: 'Y' })).toEqual([]);
    expect(issues({ isIncomingChannel: 'Y', deadline: '' })).toEqual([]);
    expect(issues({ isIncomingChannel: 'Y', deadline: null })).toEqual([]);
    expect(issues({ isIncomingChannel: 'N', deadline: DEADLINE })).toEqual([]);
  });

  it('reports the incoming rule together with other problems', () => {
    expect(issues({ isIncomingChannel: 'Y', deadline: DEADLINE, responsibleId: 0 })).toEqual([
      { path: 'responsibleId', message: 'must be a user id greater than 0; got 0', code: 'WRONG_FIELD_VALUE' },
      INCOMING,
    ]);
  });

  it('deadline is an ISO 8601 date-time', () => {
    expect(issues({ deadline: '01.02.2025' })).toEqual([
      {
        path: 'deadline',
        message: 'must be an ISO 8601 date-time such as 2025-02-01T01:00:00+03:00; got "01.02.2025"',
        code: 'WRONG_FIELD_VALUE',
      },
    ]);
    expect(issues({ deadline: '2025-13-45T99:00:00Z' })).toHaveLength(1);
    expect(issues({ deadline: '2025-02-01T01:00:00Z' })).toEqual([]);
    expect(issues({ deadline: '2025-02-01' })).toEqual([]);
  });

  it('pingOffsets are non-negative whole minutes, in an array', () => {
    expect(issues({ pingOffsets: [15, -5, 2.5] })).toEqual([
      {
        path: 'pingOffsets.1',
        message: 'must be a non-negative whole number of minutes; got -5',
        code: 'WRONG_FIELD_VALUE',
      },
      {
        path: 'pingOffsets.2',
        message: 'must be a non-negative whole number of minutes; got 2.5',
        code: 'WRONG_FIELD_VALUE',
      },
    ]);
    expect(issues({ pingOffsets: '60' })).toEqual([
      { path: 'pingOffsets', message: 'must be an array, got "60"', code: 'WRONG_FIELD_VALUE' },
    ]);
  });

  it('responsibleId is greater than 0', () => {
    expect(issues({ responsibleId: -1 })).toEqual([
      { path: 'responsibleId', message: 'must be a user id greater than 0; got -1', code: 'WRONG_FIELD_VALUE' },
    ]);
    expect(issues({ responsibleId: '007' })).toHaveLength(1);
  });

  it('typeId is a non-empty string; badgeCode, originatorId and originId are strings', () => {
    expect(issues({ typeId: '' })).toEqual([
      { path: 'typeId', message: 'must not be empty', code: 'WRONG_FIELD_VALUE' },
    ]);
    expect(issues({ badgeCode: 5, originId: 7 })).toEqual([
      { path: 'badgeCode', message: 'must be a string, got 5', code: 'WRONG_FIELD_VALUE' },
      { path: 'originId', message: 'must be a string, got 7', code: 'WRONG_FIELD_VALUE' },
    ]);
  });

  it('fields must be an object', () => {
    expect(issues([])).toEqual([{ path: '', message: 'must be an object, got an array', code: 'WRONG_FIELD_VALUE' }]);
  });
});
