/**
 * The card's error state when the portal rejected our update as invalid (VALIDATION: WRONG_FIELD_VALUE, a layout
 * rule): the smallest payload that can still unlock the card. `fields` (required on update) is only `completed`,
 * so every other field keeps its stored value and a field the portal now refuses (a responsible user who left, a
 * deleted badge, a deadline) is not sent again; the layout is the title, the state and, while undecided, the
 * error text and the two buttons: no description, requester or deadline blocks. Both are validated before they
 * leave, so we never send a second invalid update.
 */
import type { Approval } from '@b24app/db';
import { type Layout, SYSTEM_ICONS, SYSTEM_LOGOS, validateActivityFields, validateLayout } from '@b24app/layout';
import { approvalLayout } from './approval-layout.js';
import { type ApprovalRow, approvalView } from './approval-view.js';

const MAX_TITLE = 100;

export function approvalErrorStatePayload(
  a: ApprovalRow & Pick<Approval, 'state'>,
  opts: { lang?: string; error: string },
): { fields: { completed: boolean }; layout: Layout } {
  const decided = a.state !== 'PENDING';
  const view = approvalView(
    {
      ...a,
      title: a.title.slice(0, MAX_TITLE),
      description: null,
      deadline: null,
      requesterId: null,
      requesterName: null,
      decidedByName: a.decidedByName?.slice(0, MAX_TITLE) ?? null,
    },
    { lang: opts.lang ?? 'en', error: decided ? null : opts.error.slice(0, 200) },
  );
  const checked = validateLayout(approvalLayout(view), { knownIcons: SYSTEM_ICONS, knownLogos: SYSTEM_LOGOS });
  if (!checked.ok) throw new Error(`error-state layout is invalid: ${checked.issues[0]?.message ?? 'unknown'}`);
  const fields = { completed: decided };
  if (!validateActivityFields(fields).ok) throw new Error('error-state fields are invalid');
  return { fields, layout: checked.value };
}
