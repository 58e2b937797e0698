/**
 * The texts of an approval's notifications (im.notify.system.add), as pure functions of the stored row: the
 * approver's "waiting for you" and the requester's "decided", in the portal's language (en, ru; others English),
 * with a BB-code link to the CRM item on the portal. MESSAGE_OUT (e-mail and other channels) is the same text
 * without BB-codes, the link written out.
 */
import type { Approval } from '@b24app/db';

export interface ApprovalNotification {
  message: string;
  messageOut: string;
  /** Unique within the app: a repeated send (after a lost answer) replaces the first instead of doubling it. */
  tag: string;
}

type NotificationRow = Pick<
  Approval,
  | 'id'
  | 'title'
  | 'ownerTypeId'
  | 'ownerId'
  | 'state'
  | 'requesterName'
  | 'requesterId'
  | 'decidedById'
  | 'decidedByName'
  | 'decisionComment'
>;

const PATHS: Record<number, string> = { 1: 'lead', 2: 'deal', 3: 'contact', 4: 'company' };

/** The item's page on the portal: /crm/<lead|deal|contact|company>/details/<id>/, smart processes /crm/type/<t>/details/<id>/. */
export function crmItemPath(ownerTypeId: number, ownerId: number): string {
  const known = PATHS[ownerTypeId];
  return known ? `/crm/${known}/details/${ownerId}/` : `/crm/type/${ownerTypeId}/details/${ownerId}/`;
}

/** The portal's origin from its REST endpoint (`https://x.bitrix24.com/rest/` → `https://x.bitrix24.com`). */
export function portalOrigin(clientEndpoint: string): string {
  return new URL(clientEndpoint).origin;
}

const TEXTS = {
  en: {
    items: { 1: 'Lead', 2: 'Deal', 3: 'Contact', 4: 'Company' } as Record<number, string>,
    item: 'Item',
    waiting: (t: string, item: string, by: string | null) =>
      `An approval is waiting for you: “${t}” on ${item}${by ? `, requested by ${by}` : ''}.`,
    decided: (t: string, item: string, approved: boolean, by: string) =>
      `Your approval request “${t}” on ${item} was ${approved ? 'approved' : 'rejected'} by ${by}.`,
    comment: 'Comment',
    user: (id: number) => `user #${id}`,
  },
  ru: {
    items: { 1: 'Лид', 2: 'Сделка', 3: 'Контакт', 4: 'Компания' } as Record<number, string>,
    item: 'Элемент',
    waiting: (t: string, item: string, by: string | null) =>
      `Ждёт вашего согласования: «${t}» — ${item}${by ? `, запросил(а) ${by}` : ''}.`,
    decided: (t: string, item: string, approved: boolean, by: string) =>
      `Ваш запрос на согласование «${t}» (${item}) ${approved ? 'согласован' : 'отклонён'}: ${by}.`,
    comment: 'Комментарий',
    user: (id: number) => `пользователь #${id}`,
  },
};

/** User text inside a BB-code message: square brackets would open tags (a title could forge a link). */
const plain = (s: string) => s.replace(/\[/g, '(').replace(/\]/g, ')');

function parts(row: NotificationRow, o: { lang: string; portalUrl: string }) {
  const t = o.lang === 'ru' ? TEXTS.ru : TEXTS.en;
  const url = `${o.portalUrl}${crmItemPath(row.ownerTypeId, row.ownerId)}`;
  const label = `${t.items[row.ownerTypeId] ?? t.item} #${row.ownerId}`;
  return { t, url, label, link: `[url=${url}]${label}[/url]`, out: `${label} (${url})`, title: plain(row.title) };
}

/** To the approver (responsibleId): an approval waits for them. */
export function approverNotification(
  row: NotificationRow,
  o: { lang: string; portalUrl: string },
): ApprovalNotification {
  const { t, link, out, title } = parts(row, o);
  const by = row.requesterName ? plain(row.requesterName) : row.requesterId ? t.user(row.requesterId) : null;
  return {
    message: t.waiting(title, link, by),
    messageOut: t.waiting(title, out, by),
    tag: `b24app|approval|${row.id}|approver`,
  };
}

/** To the requester: their approval was decided, by whom, with the decider's comment. */
export function requesterNotification(
  row: NotificationRow,
  o: { lang: string; portalUrl: string },
): ApprovalNotification {
  const { t, link, out, title } = parts(row, o);
  const by = row.decidedByName ? plain(row.decidedByName) : t.user(row.decidedById ?? 0);
  const approved = row.state === 'APPROVED';
  const comment = row.decisionComment ? ` ${t.comment}: ${plain(row.decisionComment)}` : '';
  return {
    message: `${t.decided(title, link, approved, by)}${comment}`,
    messageOut: `${t.decided(title, out, approved, by)}${comment}`,
    tag: `b24app|approval|${row.id}|requester`,
  };
}
