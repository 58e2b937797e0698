// The approval card's layout as a pure function of its view. The server uses it for
// crm.activity.configurable.add, the worker for every crm.activity.configurable.update after a decision.
import {
  type Action,
  body,
  button,
  type ContentBlock,
  deadlineBlock,
  footer,
  header,
  type Layout,
  largeTextBlock,
  layout,
  linkBlock,
  openRestApp,
  redirect,
  resolveText,
  restEvent,
  type SimpleContentBlock,
  type SystemIcon,
  type SystemLogo,
  type TagType,
  tag,
  textBlock,
  withTitle,
} from '@b24app/layout';
import { APPROVAL_LABELS, type ApprovalLabel } from './approval-labels.js';
import type { ApprovalState, ApprovalUser, ApprovalView } from './approval-view.js';

/** restEvent ids of the two decisions (`data[id]` in ONCRMTIMELINEITEMACTION). */
export const APPROVAL_ACTIONS = { approve: 'approve', reject: 'reject' } as const;

/**
 * The `decide` actionParam of the openRestApp Reject (comment required): the details slider opens on the reject
 * form. Bitrix24 passes it in PLACEMENT_OPTIONS with the card's entityTypeId, entityId and activityId.
 */
export const REJECT_WITH_COMMENT = 'reject';

const LOOK: Record<ApprovalState, { icon: SystemIcon; tag: TagType }> = {
  pending: { icon: 'clock', tag: 'primary' },
  approved: { icon: 'circle-check', tag: 'success' },
  rejected: { icon: 'circle-crossed', tag: 'failure' },
  failed: { icon: 'attention', tag: 'warning' },
};

const LOGO: SystemLogo = 'list-check';

/** `2025-02-01T10:30:00+03:00` → `2025-02-01 07:30 UTC`; anything unparsable is shown as given. */
export function formatDecisionTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const d = new Date(ms).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 16)} UTC`;
}

export function approvalLayout(view: ApprovalView): Layout {
  const lang = view.lang ?? 'en';
  const t = (label: ApprovalLabel) => resolveText(APPROVAL_LABELS[label], lang);
  const params = { approvalId: view.approvalId };
  const details: Action = openRestApp({ actionParams: params, sliderParams: { title: view.title } });
  const userBlock = (user: ApprovalUser): SimpleContentBlock =>
    linkBlock(user.name || `${t('user')} #${user.id}`, redirect(`/company/personal/user/${user.id}/`));

  const blocks: Record<string, ContentBlock> = {};
  if (view.requester) blocks.requester = withTitle(t('requestedBy'), userBlock(view.requester), { inline: true });
  if (view.description) blocks.description = largeTextBlock(view.description);
  if (view.deadline) blocks.deadline = withTitle(t('deadline'), deadlineBlock({ readonly: true }), { inline: true });

  if (view.state === 'approved' || view.state === 'rejected') {
    const by = view.state === 'approved' ? t('approvedBy') : t('rejectedBy');
    if (view.decidedBy) blocks.decidedBy = withTitle(by, userBlock(view.decidedBy), { inline: true });
    if (view.decidedAt) {
      blocks.decidedAt = withTitle(t('decidedAt'), textBlock(formatDecisionTime(view.decidedAt)), { inline: true });
    }
    if (view.comment) blocks.comment = withTitle(t('comment'), textBlock(view.comment, { multiline: true }));
  }
  if (view.state === 'failed') {
    blocks.error = withTitle(t('error'), textBlock(view.error || t('unknownError'), { bold: true, multiline: true }));
  }
  blocks.details = linkBlock(t('details'), details);

  // Only an undecided (or failed-to-apply) approval offers the decision buttons. With a comment required, Reject
  // opens the details slider on its reject form (the decision is made there); otherwise it is a restEvent.
  const decidable = view.state === 'pending' || view.state === 'failed';
  const reject: Action = view.rejectWithComment
    ? openRestApp({
        actionParams: { ...params, decide: REJECT_WITH_COMMENT },
        sliderParams: { title: `${t('reject')}: ${view.title}`.slice(0, 255) },
      })
    : restEvent(APPROVAL_ACTIONS.reject, { actionParams: params, animationType: 'disable' });
  return layout({
    icon: LOOK[view.state].icon,
    header: header(view.title, { titleAction: details, tags: { state: tag(t(view.state), LOOK[view.state].tag) } }),
    body: body(LOGO, blocks),
    footer: decidable
      ? footer({
          buttons: {
            approve: button(
              t('approve'),
              'primary',
              restEvent(APPROVAL_ACTIONS.approve, { actionParams: params, animationType: 'loader' }),
            ),
            reject: button(t('reject'), 'secondary', reject),
          },
        })
      : undefined,
  });
}
