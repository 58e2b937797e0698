// Property tests of the approval card's layout: in every state it validates with system icons and logos only,
// offers the decisions exactly while undecided (or failed), and always links the details slider.
import {
  type Action,
  type ActionParams,
  formatIssues,
  SYSTEM_ICONS,
  SYSTEM_LOGOS,
  validateLayout,
} from '@b24app/layout';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { APPROVAL_ACTIONS, approvalLayout, REJECT_WITH_COMMENT } from './approval-layout.js';
import type { ApprovalView } from './approval-view.js';

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const userArb = fc.record({ id: fc.integer({ min: 1, max: 1e6 }), name: opt(fc.string({ maxLength: 30 })) });
const isoArb = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const viewArb: fc.Arbitrary<ApprovalView> = fc.record(
  {
    approvalId: fc.string({ minLength: 1, maxLength: 40 }),
    title: fc.string({ maxLength: 80 }),
    description: fc.option(fc.string({ maxLength: 300 }), { nil: null }),
    requester: fc.option(userArb, { nil: null }),
    deadline: fc.option(isoArb, { nil: null }),
    state: fc.constantFrom('pending', 'approved', 'rejected', 'failed'),
    decidedBy: fc.option(userArb, { nil: null }),
    decidedAt: fc.option(isoArb, { nil: null }),
    comment: fc.option(fc.string({ maxLength: 300 }), { nil: null }),
    rejectWithComment: fc.boolean(),
    error: fc.option(fc.string({ maxLength: 200 }), { nil: null }),
    lang: fc.constantFrom('en', 'de', 'ru', 'ja'),
  },
  { requiredKeys: ['approvalId', 'title', 'state'] },
);

/** Every action object anywhere in a layout. */
function actionsIn(value: unknown): Action[] {
  if (Array.isArray(value)) return value.flatMap(actionsIn);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const own = ['redirect', 'restEvent', 'openRestApp'].includes(record.type as string) ? [record as Action] : [];
  return [...own, ...Object.values(record).flatMap(actionsIn)];
}

describe('approvalLayout', () => {
  it('validates in every state, with system icons and logos only', () => {
    const systemOnly = { knownIcons: SYSTEM_ICONS, knownLogos: SYSTEM_LOGOS };
    fc.assert(
      fc.property(viewArb, (view) => {
        const result = validateLayout(approvalLayout(view), systemOnly);
        expect(result.ok ? [] : formatIssues(result.issues)).toEqual([]);
      }),
    );
  });

  it('offers approve and reject exactly while undecided or failed, each carrying the approval id', () => {
    fc.assert(
      fc.property(viewArb, (view) => {
        const built = approvalLayout(view);
        const decisions = actionsIn(built).filter(
          (a) => a.type === 'restEvent' && (a.id === APPROVAL_ACTIONS.approve || a.id === APPROVAL_ACTIONS.reject),
        );
        const rejectForms = actionsIn(built.footer ?? {}).filter(
          (a) => a.type === 'openRestApp' && a.actionParams?.decide === REJECT_WITH_COMMENT,
        );
        if (view.state === 'approved' || view.state === 'rejected') {
          expect(decisions).toEqual([]);
          expect(rejectForms).toEqual([]);
        } else {
          const params: ActionParams = { approvalId: view.approvalId };
          const approve = { type: 'restEvent', id: 'approve', actionParams: params, animationType: 'loader' };
          if (view.rejectWithComment) {
            // A comment is required: Reject opens the details' reject form; no restEvent can reject.
            expect(decisions).toEqual([approve]);
            expect(rejectForms).toEqual([
              expect.objectContaining({ actionParams: { ...params, decide: REJECT_WITH_COMMENT } }),
            ]);
          } else {
            expect(decisions).toEqual([
              approve,
              { type: 'restEvent', id: 'reject', actionParams: params, animationType: 'disable' },
            ]);
            expect(rejectForms).toEqual([]);
          }
        }
      }),
    );
  });

  it('shows the comment of a decided approval, and only of a decided one', () => {
    fc.assert(
      fc.property(viewArb, (view) => {
        const block = approvalLayout(view).body.blocks.comment;
        const decided = view.state === 'approved' || view.state === 'rejected';
        if (decided && view.comment) expect(JSON.stringify(block)).toContain(JSON.stringify(view.comment));
        else expect(block).toBeUndefined();
      }),
    );
  });

  it('tags the state and always links the details slider with the approval id', () => {
    const tagFor = { pending: 'primary', approved: 'success', rejected: 'failure', failed: 'warning' } as const;
    fc.assert(
      fc.property(viewArb, (view) => {
        const built = approvalLayout(view);
        expect(Object.values(built.header.tags ?? {}).map((t) => t.type)).toEqual([tagFor[view.state]]);
        expect(actionsIn(built.body.blocks)).toContainEqual(
          expect.objectContaining({ type: 'openRestApp', actionParams: { approvalId: view.approvalId } }),
        );
        if (view.state === 'failed' && view.error) expect(JSON.stringify(built)).toContain(JSON.stringify(view.error));
      }),
    );
  });
});
