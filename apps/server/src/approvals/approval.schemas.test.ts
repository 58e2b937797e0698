import { describe, expect, it } from 'vitest';
import { createApprovalSchema } from './approval.schemas.js';

const valid = { memberId: 'a'.repeat(32), ownerTypeId: 2, ownerId: 15, title: 'Discount' };
const INT_MAX = 2 ** 31 - 1;

describe('createApprovalSchema', () => {
  it('accepts ids up to the largest 32-bit integer', () => {
    const r = createApprovalSchema.safeParse({
      ...valid,
      ownerTypeId: INT_MAX,
      ownerId: INT_MAX,
      responsibleId: INT_MAX,
      requester: { id: INT_MAX },
    });
    expect(r.success).toBe(true);
  });

  it.each([
    ['ownerTypeId', { ownerTypeId: INT_MAX + 1 }, 'must be a CRM entity type id: a positive integer up to 2147483647'],
    ['ownerId', { ownerId: 2 ** 40 }, 'must be a CRM item id: a positive integer up to 2147483647'],
    ['responsibleId', { responsibleId: INT_MAX + 1 }, 'must be a user id: a positive integer up to 2147483647'],
    ['requester.id', { requester: { id: INT_MAX + 1 } }, 'must be a user id: a positive integer up to 2147483647'],
  ])('refuses %s above 2^31-1 with a message naming the limit', (path, patch, message) => {
    const r = createApprovalSchema.safeParse({ ...valid, ...patch });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([[path, message]]);
  });
});
