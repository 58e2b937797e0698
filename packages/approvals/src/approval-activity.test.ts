import { formatIssues, validateActivityFields, validateLayout } from '@b24app/layout';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { approvalActivityFields, approvalActivityPayload } from './approval-activity.js';
import { APPROVAL_ACTIONS } from './approval-layout.js';
import { type ApprovalRow, approvalView } from './approval-view.js';

const row: ApprovalRow = {
  id: '5b0c1f8e-3c1a-4a7e-9a51-0d7c2d7f4a11',
  title: 'Discount 15% for ACME',
  description: 'Customer asks for 15%.',
  deadline: new Date('2025-02-01T07:00:00.000Z'),
  state: 'PENDING',
  decidedById: null,
  decidedByName: null,
  decidedAt: null,
  responsibleId: 12,
  requesterId: 7,
  requesterName: 'Anna Petrova',
  decisionComment: null,
};
const approved: ApprovalRow = {
  ...row,
  state: 'APPROVED',
  decidedById: 3,
  decidedByName: 'Boris',
  decidedAt: new Date('2025-01-30T12:05:00.000Z'),
};

describe('approvalView', () => {
  it('maps the stored row to the card view (ISO dates, lower-case state, users with their names)', () => {
    expect(approvalView(row, { lang: 'de' })).toEqual({
      approvalId: row.id,
      title: row.title,
      description: row.description,
      requester: { id: 7, name: 'Anna Petrova' },
      deadline: '2025-02-01T07:00:00.000Z',
      state: 'pending',
      decidedBy: null,
      decidedAt: null,
      error: null,
      lang: 'de',
      comment: null,
      rejectWithComment: false,
    });
    expect(approvalView(approved)).toMatchObject({
      state: 'approved',
      decidedBy: { id: 3, name: 'Boris' },
      decidedAt: '2025-01-30T12:05:00.000Z',
      lang: 'en',
    });
  });

  it('leaves out absent names and users', () => {
    const view = approvalView({ ...approved, state: 'REJECTED', requesterId: null, decidedByName: null });
    expect(view.requester).toBeNull();
    expect(view.decidedBy).toEqual({ id: 3 });
    expect(view.state).toBe('rejected');
  });

  it('an error shows a pending approval as failed, never a decided one', () => {
    expect(approvalView(row, { error: 'locked' })).toMatchObject({ state: 'failed', error: 'locked' });
    expect(approvalView(approved, { error: 'locked' })).toMatchObject({ state: 'approved', error: 'locked' });
  });
});

describe('approvalActivityFields', () => {
  it('completes decided approvals only and clears their badge', () => {
    expect(approvalActivityFields({ state: 'approved' }, { badgeCode: 'approval_pending' })).toEqual({
      completed: true,
      badgeCode: '',
    });
    expect(approvalActivityFields({ state: 'rejected' })).toEqual({ completed: true, badgeCode: '' });
    expect(
      approvalActivityFields({ state: 'failed', deadline: '2025-02-01T07:00:00.000Z' }, { badgeCode: 'b' }),
    ).toEqual({ completed: false, deadline: '2025-02-01T07:00:00.000Z', badgeCode: 'b' });
  });

  it('reminds the approver at the ping offsets while pending with a deadline; no reminders once decided', () => {
    const deadline = '2025-02-01T07:00:00.000Z';
    expect(approvalActivityFields({ state: 'pending', deadline }, { pingOffsets: [60, 0, 60] })).toEqual({
      completed: false,
      deadline,
      pingOffsets: [60, 0],
      badgeCode: '',
    });
    expect(approvalActivityFields({ state: 'failed', deadline }, { pingOffsets: [15] })).toMatchObject({
      pingOffsets: [15],
    });
    expect(approvalActivityFields({ state: 'rejected', deadline }, { pingOffsets: [15] })).toMatchObject({
      completed: true,
      pingOffsets: [],
    });
    // Without a deadline there is nothing to be reminded of.
    expect(approvalActivityFields({ state: 'pending' }, { pingOffsets: [15] })).not.toHaveProperty('pingOffsets');
    expect(approvalActivityFields({ state: 'pending', deadline })).not.toHaveProperty('pingOffsets');
  });

  it('assigns the responsible user when one is set', () => {
    expect(approvalActivityFields({ state: 'pending' }, { responsibleId: 12 })).toEqual({
      completed: false,
      badgeCode: '',
      responsibleId: 12,
    });
    expect(approvalActivityFields({ state: 'pending' }, { responsibleId: null })).not.toHaveProperty('responsibleId');
  });
});

describe('approvalActivityPayload', () => {
  it('a pending row: open fields with the badge, the deadline and the responsible user, and both buttons', () => {
    const payload = approvalActivityPayload(row, { badgeCode: 'approval_pending', lang: 'ru' });
    expect(payload.fields).toEqual({
      completed: false,
      deadline: '2025-02-01T07:00:00.000Z',
      badgeCode: 'approval_pending',
      responsibleId: 12,
    });
    expect(Object.keys(payload.layout.footer?.buttons ?? {})).toEqual([
      APPROVAL_ACTIONS.approve,
      APPROVAL_ACTIONS.reject,
    ]);
    expect(payload.layout.footer?.buttons?.approve?.title).toBe('Согласовать');
  });

  it('a pending row of a portal that requires a reject comment: Reject opens the details, pings set', () => {
    const payload = approvalActivityPayload(row, { rejectCommentRequired: true, pingOffsets: [0, 60] });
    expect(payload.fields).toMatchObject({ responsibleId: 12, deadline: row.deadline?.toISOString() });
    expect(payload.fields.pingOffsets).toEqual([0, 60]);
    expect(payload.layout.footer?.buttons?.reject?.action).toMatchObject({
      type: 'openRestApp',
      actionParams: { approvalId: row.id, decide: 'reject' },
    });
    expect(validateLayout(payload.layout).ok).toBe(true);
  });

  it('a row rejected with a comment: the card shows it', () => {
    const rejected = { ...approved, state: 'REJECTED' as const, decisionComment: 'Too expensive' };
    const payload = approvalActivityPayload(rejected, { rejectCommentRequired: true });
    expect(payload.fields).toMatchObject({ completed: true });
    expect(JSON.stringify(payload.layout.body.blocks.comment)).toContain('Too expensive');
  });

  it('a decided row: completed, no badge, no buttons', () => {
    const payload = approvalActivityPayload(approved, { badgeCode: 'approval_pending' });
    expect(payload.fields).toMatchObject({ completed: true, badgeCode: '' });
    expect(payload.layout.footer).toBeUndefined();
    expect(payload.layout.header.tags?.state).toEqual({ title: 'Approved', type: 'success' });
  });

  it('an error on a pending row: the warning card with its text and usable buttons, still open', () => {
    const payload = approvalActivityPayload(row, { error: 'The deal is locked' });
    expect(payload.fields.completed).toBe(false);
    expect(payload.layout.header.tags?.state?.type).toBe('warning');
    expect(JSON.stringify(payload.layout.body.blocks.error)).toContain('The deal is locked');
    expect(payload.layout.footer?.buttons).toHaveProperty('approve');
  });

  const rowArb: fc.Arbitrary<ApprovalRow> = fc.record({
    id: fc.uuid(),
    title: fc.string({ maxLength: 80 }),
    description: fc.option(fc.string({ maxLength: 200 }), { nil: null }),
    deadline: fc.option(fc.date({ min: new Date('2000-01-01Z'), max: new Date('2100-01-01Z'), noInvalidDate: true }), {
      nil: null,
    }),
    state: fc.constantFrom('PENDING', 'APPROVED', 'REJECTED'),
    decidedById: fc.option(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { nil: null }),
    decidedByName: fc.option(fc.string({ maxLength: 30 }), { nil: null }),
    decidedAt: fc.option(fc.date({ min: new Date('2000-01-01Z'), max: new Date('2100-01-01Z'), noInvalidDate: true }), {
      nil: null,
    }),
    responsibleId: fc.option(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { nil: null }),
    requesterId: fc.option(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { nil: null }),
    requesterName: fc.option(fc.string({ maxLength: 30 }), { nil: null }),
    decisionComment: fc.option(fc.string({ maxLength: 200 }), { nil: null }),
  });

  it('whatever the row, the portal accepts its fields and layout, and they agree on the state', () => {
    const optsArb = fc.record({
      error: fc.option(fc.string({ maxLength: 100 }), { nil: null }),
      badgeCode: fc.option(fc.stringMatching(/^[a-zA-Z0-9_-]{1,20}$/), { nil: null }),
      lang: fc.constantFrom('en', 'de', 'ru', 'ja'),
      rejectCommentRequired: fc.boolean(),
      pingOffsets: fc.option(fc.array(fc.integer({ min: 0, max: 10_080 }), { maxLength: 5 }), { nil: null }),
    });
    fc.assert(
      fc.property(rowArb, optsArb, (r, opts) => {
        const { fields, layout } = approvalActivityPayload(r, opts);
        const f = validateActivityFields({ typeId: 'CONFIGURABLE', ...fields });
        expect(f.ok ? [] : formatIssues(f.issues)).toEqual([]);
        const l = validateLayout(layout);
        expect(l.ok ? [] : formatIssues(l.issues)).toEqual([]);
        // Open (with buttons) exactly while pending; completed (without) once decided.
        expect(fields.completed).toBe(r.state !== 'PENDING');
        expect(layout.footer === undefined).toBe(r.state !== 'PENDING');
        expect(fields.deadline).toBe(r.deadline?.toISOString());
      }),
    );
  });
});
