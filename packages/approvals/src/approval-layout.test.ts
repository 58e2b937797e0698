import { describe, expect, it } from 'vitest';
import { formatIssues, validateLayout } from '@b24app/layout';
import { APPROVAL_ACTIONS, approvalLayout, formatDecisionTime } from './approval-layout.js';

const base = {
  approvalId: 'apr_42',
  title: 'Discount 15% for ACME',
  description: 'Customer asks for 15%.\nMargin stays above 20%.',
  requester: { id: 7, name: 'Anna Petrova' },
  deadline: '2025-02-01T10:00:00+03:00',
} as const;

function valid(view: Parameters<typeof approvalLayout>[0]) {
  const layout = approvalLayout(view);
  const result = validateLayout(layout);
  if (!result.ok) throw new Error(formatIssues(result.issues));
  return layout;
}

describe('approvalLayout', () => {
  it('pending: Approve (loader, primary) and Reject (disable, secondary) carry the approval id', () => {
    const layout = valid({ ...base, state: 'pending' });
    expect(layout.footer?.buttons).toEqual({
      approve: {
        title: 'Approve',
        type: 'primary',
        action: { type: 'restEvent', id: 'approve', actionParams: { approvalId: 'apr_42' }, animationType: 'loader' },
      },
      reject: {
        title: 'Reject',
        type: 'secondary',
        action: { type: 'restEvent', id: 'reject', actionParams: { approvalId: 'apr_42' }, animationType: 'disable' },
      },
    });
    expect(layout.body.blocks.details).toEqual({
      type: 'link',
      properties: {
        text: 'Details',
        action: { type: 'openRestApp', actionParams: { approvalId: 'apr_42' }, sliderParams: { title: base.title } },
      },
    });
    expect(Object.keys(layout.body.blocks)).toEqual(['requester', 'description', 'deadline', 'details']);
    expect(layout.body.blocks.deadline).toEqual({
      type: 'withTitle',
      properties: { title: 'Deadline', block: { type: 'deadline', properties: { readonly: true } }, inline: true },
    });
    expect(layout.header.tags?.state?.type).toBe('primary');
  });

  it('approved: a success tag, who decided and when, and no decision actions', () => {
    const layout = valid({
      ...base,
      state: 'approved',
      decidedBy: { id: 3, name: 'Boris' },
      decidedAt: '2025-01-30T12:05:00Z',
    });
    expect(layout.header.tags?.state).toEqual({ title: 'Approved', type: 'success' });
    expect(layout.footer).toBeUndefined();
    expect(JSON.stringify(layout)).not.toContain('"restEvent"');
    expect(layout.body.blocks.decidedBy).toMatchObject({
      properties: { title: 'Approved by', block: { type: 'link', properties: { text: 'Boris' } } },
    });
    expect(layout.body.blocks.decidedAt).toMatchObject({
      properties: { block: { type: 'text', properties: { value: '2025-01-30 12:05 UTC' } } },
    });
  });

  it('a comment is required to reject: Reject opens the details slider on the reject form (openRestApp)', () => {
    const layout = valid({ ...base, state: 'pending', rejectWithComment: true });
    expect(layout.footer?.buttons?.reject).toEqual({
      title: 'Reject',
      type: 'secondary',
      action: {
        type: 'openRestApp',
        actionParams: { approvalId: 'apr_42', decide: 'reject' },
        sliderParams: { title: `Reject: ${base.title}` },
      },
    });
    // Approve stays a click; the failed state offers the same reject form.
    expect(layout.footer?.buttons?.approve?.action).toMatchObject({ type: 'restEvent', id: 'approve' });
    const failed = valid({ ...base, state: 'failed', error: 'x', rejectWithComment: true });
    expect(failed.footer?.buttons?.reject?.action.type).toBe('openRestApp');
  });

  it('rejected with a comment: the comment is shown under who decided', () => {
    const layout = valid({
      ...base,
      state: 'rejected',
      decidedBy: { id: 3, name: 'Boris' },
      decidedAt: '2025-01-30T12:05:00Z',
      comment: 'Margin too low.\nAsk for 10%.',
      rejectWithComment: true,
    });
    expect(layout.footer).toBeUndefined();
    expect(Object.keys(layout.body.blocks)).toEqual([
      'requester',
      'description',
      'deadline',
      'decidedBy',
      'decidedAt',
      'comment',
      'details',
    ]);
    expect(layout.body.blocks.comment).toEqual({
      type: 'withTitle',
      properties: {
        title: 'Comment',
        block: { type: 'text', properties: { value: 'Margin too low.\nAsk for 10%.', multiline: true } },
      },
    });
    expect(valid({ ...base, state: 'pending', comment: 'not yet' }).body.blocks.comment).toBeUndefined();
  });

  it('rejected: a failure tag', () => {
    const layout = valid({ ...base, state: 'rejected', decidedBy: { id: 3 } });
    expect(layout.header.tags?.state).toEqual({ title: 'Rejected', type: 'failure' });
    expect(layout.body.blocks.decidedBy).toMatchObject({
      properties: { title: 'Rejected by', block: { properties: { text: 'User #3' } } },
    });
    expect(layout.footer).toBeUndefined();
  });

  it('failed: a warning tag, the error shown, and both buttons usable again', () => {
    const layout = valid({ ...base, state: 'failed', error: 'The deal is locked by another process' });
    expect(layout.header.tags?.state?.type).toBe('warning');
    expect(layout.body.blocks.error).toMatchObject({
      properties: { block: { properties: { value: 'The deal is locked by another process' } } },
    });
    expect(Object.keys(layout.footer?.buttons ?? {})).toEqual([APPROVAL_ACTIONS.approve, APPROVAL_ACTIONS.reject]);
  });

  it('speaks the portal language, falling back to English', () => {
    expect(valid({ ...base, state: 'pending', lang: 'de' }).footer?.buttons?.approve?.title).toBe('Genehmigen');
    expect(valid({ ...base, state: 'pending', lang: 'ja' }).footer?.buttons?.approve?.title).toBe('Approve');
  });

  it('needs nothing but id, title and state', () => {
    const layout = valid({ approvalId: 'a', title: 'T', state: 'pending' });
    expect(Object.keys(layout.body.blocks)).toEqual(['details']);
  });

  it('formats decision times in UTC and leaves unparsable ones alone', () => {
    expect(formatDecisionTime('2025-02-01T10:30:00+03:00')).toBe('2025-02-01 07:30 UTC');
    expect(formatDecisionTime('yesterday')).toBe('yesterday');
  });
});
