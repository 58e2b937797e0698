import type { Approval } from '@b24app/db';
import { type ApprovalView, approvalActivityFields, approvalLayout, type Layout } from '@b24app/layout';

/**
 * The approval's configurable activity as a pure function of its stored state: the server uses it
 * to create the activity, the worker to rebuild it after every click. Nothing else decides what
 * the card shows, so every path ends in the same layout for the same state.
 */
export interface ActivityPayload {
  fields: Record<string, unknown>;
  layout: Layout;
}

export function approvalView(
  a: Pick<
    Approval,
    | 'id'
    | 'title'
    | 'description'
    | 'deadline'
    | 'state'
    | 'decidedById'
    | 'decidedByName'
    | 'decidedAt'
    | 'responsibleId'
    | 'requesterId'
    | 'requesterName'
  >,
  opts: { lang?: string; error?: string | null } = {},
): ApprovalView {
  const decided = a.state !== 'PENDING';
  return {
    approvalId: a.id,
    title: a.title,
    description: a.description,
    requester: a.requesterId ? { id: a.requesterId, ...(a.requesterName ? { name: a.requesterName } : {}) } : null,
    deadline: a.deadline?.toISOString() ?? null,
    // A decision that could not be shown is presented as 'failed' with the buttons usable again.
    state: opts.error && !decided ? 'failed' : stateOf(a.state),
    decidedBy: a.decidedById ? { id: a.decidedById, ...(a.decidedByName ? { name: a.decidedByName } : {}) } : null,
    decidedAt: a.decidedAt?.toISOString() ?? null,
    error: opts.error ?? null,
    lang: opts.lang ?? 'en',
  };
}

export function approvalActivityPayload(
  a: Parameters<typeof approvalView>[0],
  opts: {
    lang?: string;
    error?: string | null;
    badgeCode?: string | null;
    /** The portal's chosen card look (app page settings): the pending card's icon, and the logo. */
    iconCode?: string | null;
    logoCode?: string | null;
  } = {},
): ActivityPayload {
  const view = approvalView(a, opts);
  const layout = approvalLayout(view);
  // A decided card keeps its state's icon (it says approved / rejected); the logo is the portal's on every card.
  if (opts.iconCode && view.state === 'pending') layout.icon = { code: opts.iconCode };
  if (opts.logoCode && layout.body)
    layout.body = { ...layout.body, logo: { ...layout.body.logo, code: opts.logoCode } };
  const base = approvalActivityFields(view);
  const decided = view.state === 'approved' || view.state === 'rejected';
  return {
    fields: {
      ...base,
      // The kanban badge marks pending approvals; a decision clears it.
      badgeCode: decided ? '' : (opts.badgeCode ?? ''),
      ...(a.responsibleId ? { responsibleId: a.responsibleId } : {}),
    },
    layout,
  };
}

const stateOf = (s: Approval['state']): ApprovalView['state'] =>
  s === 'APPROVED' ? 'approved' : s === 'REJECTED' ? 'rejected' : 'pending';
