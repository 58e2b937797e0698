// The approval's configurable activity (fields + layout) as a pure function of its stored row: the server
// uses it to create the activity, the worker to rebuild it after every click. Nothing else decides what the
// card shows, so every path ends in the same activity for the same state.
import type { Layout } from '@b24app/layout';
import { approvalLayout } from './approval-layout.js';
import { type ApprovalRow, type ApprovalView, type ApprovalViewOptions, approvalView } from './approval-view.js';

/** The activity `fields` of an approval (crm.activity.configurable.add/update). */
export type ApprovalFields = {
  completed: boolean;
  deadline?: string;
  /** Minutes before the deadline at which Bitrix24 reminds the responsible user; [] once decided. */
  pingOffsets?: number[];
  badgeCode: string;
  responsibleId?: number;
};

export interface ActivityPayload {
  fields: ApprovalFields;
  layout: Layout;
}

export interface ActivityOptions extends ApprovalViewOptions {
  /** The portal's kanban badge for pending approvals (portal settings); none when null. */
  badgeCode?: string | null;
  /** The portal's chosen card look (app page settings): the pending card's icon, and the logo. */
  iconCode?: string | null;
  logoCode?: string | null;
  /** The portal's reminders before a deadline, in minutes (settings); none when absent. */
  pingOffsets?: readonly number[] | null;
}

/** A portal's settings as the card needs them (the same on the create and on every rebuild). */
export interface CardSettings {
  language: string;
  badgeCode: string | null;
  iconCode: string | null;
  logoCode: string | null;
  pingOffsets: readonly number[] | null;
  rejectCommentRequired: boolean;
}

export const cardOptionsOf = (s: CardSettings): ActivityOptions => ({
  lang: s.language,
  badgeCode: s.badgeCode,
  iconCode: s.iconCode,
  logoCode: s.logoCode,
  pingOffsets: s.pingOffsets,
  rejectCommentRequired: s.rejectCommentRequired,
});

/**
 * The fields that go with a state: a decided approval is completed and loses its pending badge. With a deadline,
 * the responsible user (the approver) is reminded natively by Bitrix24 at `pingOffsets` minutes before it while
 * the approval waits; a decided one needs no more reminders (`[]`).
 */
export function approvalActivityFields(
  view: Pick<ApprovalView, 'state' | 'deadline'>,
  opts: { badgeCode?: string | null; responsibleId?: number | null; pingOffsets?: readonly number[] | null } = {},
): ApprovalFields {
  const completed = view.state === 'approved' || view.state === 'rejected';
  const pings = view.deadline && opts.pingOffsets ? (completed ? [] : [...new Set(opts.pingOffsets)]) : null;
  return {
    completed,
    ...(view.deadline ? { deadline: view.deadline } : {}),
    ...(pings ? { pingOffsets: pings } : {}),
    badgeCode: completed ? '' : (opts.badgeCode ?? ''),
    ...(opts.responsibleId ? { responsibleId: opts.responsibleId } : {}),
  };
}

export function approvalActivityPayload(row: ApprovalRow, opts: ActivityOptions = {}): ActivityPayload {
  const view = approvalView(row, opts);
  const layout = approvalLayout(view);
  // A decided card keeps its state's icon (it says approved / rejected); the logo is the portal's on every card.
  if (opts.iconCode && view.state === 'pending') layout.icon = { code: opts.iconCode };
  if (opts.logoCode && layout.body)
    layout.body = { ...layout.body, logo: { ...layout.body.logo, code: opts.logoCode } };
  return {
    fields: approvalActivityFields(view, {
      badgeCode: opts.badgeCode,
      responsibleId: row.responsibleId,
      pingOffsets: opts.pingOffsets,
    }),
    layout,
  };
}
