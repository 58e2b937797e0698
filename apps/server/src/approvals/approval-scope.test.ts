import { isAppError } from '@b24app/core';
import { describe, expect, it } from 'vitest';
import { createInputFor, readScopeOf } from './approval-scope.js';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
const body = { ownerTypeId: 2, ownerId: 15, title: 'Discount' };
const key = { kind: 'portal-key', keyId: 'k1', portalId: 'p1', memberId: A } as const;

const codeOf = (f: () => unknown) => {
  try {
    f();
    return 'none';
  } catch (e) {
    return isAppError(e) ? e.code : 'not an AppError';
  }
};

describe('what a caller of the integrations API may act on', () => {
  it('a portal key creates on its own portal, with or without memberId, and is recorded as the creator', () => {
    expect(createInputFor(key, body)).toEqual({ ...body, memberId: A, apiKeyId: 'k1' });
    expect(createInputFor(key, { ...body, memberId: A.toUpperCase() })).toEqual({
      ...body,
      memberId: A,
      apiKeyId: 'k1',
    });
  });

  it('a portal key naming another portal is PORTAL_MISMATCH', () => {
    expect(codeOf(() => createInputFor(key, { ...body, memberId: B }))).toBe('PORTAL_MISMATCH');
  });

  it('the operator names any portal, and must name one', () => {
    expect(createInputFor({ kind: 'operator' }, { ...body, memberId: B })).toEqual({
      ...body,
      memberId: B,
      apiKeyId: null,
    });
    expect(codeOf(() => createInputFor({ kind: 'operator' }, body))).toBe('VALIDATION_FAILED');
  });

  it("a key reads its portal's approvals only; the operator every portal's", () => {
    expect(readScopeOf(key)).toEqual({ portalId: 'p1' });
    expect(readScopeOf({ kind: 'operator' })).toEqual({});
  });
});
