import type { Approval } from '@b24app/db';
import { SYSTEM_ICONS, SYSTEM_LOGOS, validateLayout } from '@b24app/layout';
import { describe, expect, it } from 'vitest';
import { approvalErrorStatePayload } from './approval-error-state.js';

const base: Approval = {
  id: '5f0c3e7a-1b2c-4d5e-8f90-123456789abc',
  portalId: 'p',
  ownerTypeId: 2,
  ownerId: 1,
  activityId: 1,
  addClaimId: null,
  addClaimUntil: null,
  apiKeyId: null,
  callbackUrl: null,
  title: 'T'.repeat(300),
  description: 'D'.repeat(5_000),
  responsibleId: 12,
  requesterId: 3,
  requesterName: 'Req',
  deadline: new Date('2030-01-01T00:00:00Z'),
  idempotencyKey: null,
  state: 'PENDING',
  decidedById: null,
  decidedByName: null,
  decidedAt: null,
  decisionComment: null,
  lastError: null,
  createRequestedAt: null,
  addAttempts: 0,
  createFailedAt: null,
  createError: null,
  createErrorKind: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
};

describe('approval error-state payload', () => {
  it('pending: a valid layout with the error and both buttons, and no field but completed', () => {
    const p = approvalErrorStatePayload(base, { error: 'could not be saved' });
    expect(p.fields).toEqual({ completed: false });
    expect(validateLayout(p.layout, { knownIcons: SYSTEM_ICONS, knownLogos: SYSTEM_LOGOS }).ok).toBe(true);
    const text = JSON.stringify(p.layout);
    expect(text).toContain('could not be saved');
    expect(text).toContain('"approve"');
    expect(text).toContain('"reject"');
    expect(text).not.toContain('DDDD');
    expect(text).not.toContain('Req');
    expect(text).not.toContain('T'.repeat(101));
  });

  it('decided: the decision, no buttons, no error text', () => {
    const p = approvalErrorStatePayload(
      { ...base, state: 'APPROVED', decidedById: 4, decidedByName: 'Ann', decidedAt: new Date() },
      { error: 'could not be saved' },
    );
    const text = JSON.stringify(p.layout);
    expect(text).toContain('Ann');
    expect(text).not.toContain('could not be saved');
    expect(p.layout.footer).toBeUndefined();
    expect(p.fields).toEqual({ completed: true });
  });
});
