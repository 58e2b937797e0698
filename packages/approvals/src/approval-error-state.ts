/**
 * The card's error state when the portal rejected our update as invalid (VALIDATION: WRONG_FIELD_VALUE, a layout
 * rule): the smallest payload that can still unlock the card. `fields` (required by the method) holds only
 * `completed`: the activity keeps the others, so a field the portal now refuses, such as a responsible user who
 * left, is not sent again. The layout is made
 * of the title, the state and, while undecided, the error text and the two buttons: no description, requester or
 * deadline blocks. It is validated before it leaves, so we never send a second invalid update.
 */
import type { Approval } from '@b24app/db';
import { type Layout, SYSTEM_ICONS, SYSTEM_LOGOS, validateLayout } from '@b24app/layout';
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
  return { fields: { completed: decided }, layout: checked.value };
}
