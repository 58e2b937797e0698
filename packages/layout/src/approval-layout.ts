// The approval activity's layout as a pure function of the approval's state. The server uses it for
// crm.activity.configurable.add, the worker for every crm.activity.configurable.update after a decision.
import { APPROVAL_LABELS, type ApprovalLabel } from './approval-labels.js';
import type { Action } from './action.schemas.js';
import {
  body,
  button,
  deadlineBlock,
  footer,
  header,
  largeTextBlock,
  layout,
  linkBlock,
  openRestApp,
  redirect,
  restEvent,
  tag,
  textBlock,
  withTitle,
} from './builders.js';
import type { SystemIcon, SystemLogo, TagType } from './catalogs.js';
import type { ContentBlock, SimpleContentBlock } from './content-block.schemas.js';
import type { Layout } from './layout.schemas.js';
import { resolveText } from './translation.js';

/** restEvent ids of the two decisions (`data[id]` in ONCRMTIMELINEITEMACTION). */
export const APPROVAL_ACTIONS = { approve: 'approve', reject: 'reject' } as const;

export type ApprovalState = 'pending' | 'approved' | 'rejected' | 'failed';

export interface ApprovalUser {
  id: number;
  name?: string;
}

export interface ApprovalView {
  approvalId: string;
  title: string;
  description?: string | null;
  requester?: ApprovalUser | null;
  /** ISO 8601; shown through the activity's own deadline (set `fields.deadline` to the same value). */
  deadline?: string | null;
  state: ApprovalState;
  decidedBy?: ApprovalUser | null;
  /** ISO 8601. */
  decidedAt?: string | null;
  /** For 'failed': the user-visible reason the decision could not be applied. */
  error?: string | null;
  /** Portal language of the texts; default 'en'. */
  lang?: string;
}

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

/** The activity `fields` that go with a state: a decided approval is completed. */
export function approvalActivityFields(view: Pick<ApprovalView, 'state' | 'deadline'>): {
  completed: boolean;
  deadline?: string;
} {
  const completed = view.state === 'approved' || view.state === 'rejected';
  return view.deadline ? { completed, deadline: view.deadline } : { completed };
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
  }
  if (view.state === 'failed') {
    blocks.error = withTitle(t('error'), textBlock(view.error || t('unknownError'), { bold: true, multiline: true }));
  }
  blocks.details = linkBlock(t('details'), details);

  // Only an undecided (or failed-to-apply) approval offers the decision buttons.
  const decidable = view.state === 'pending' || view.state === 'failed';
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
            reject: button(
              t('reject'),
              'secondary',
              restEvent(APPROVAL_ACTIONS.reject, { actionParams: params, animationType: 'disable' }),
            ),
          },
        })
      : undefined,
  });
}
