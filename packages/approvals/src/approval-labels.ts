import type { TextWithTranslation } from '@b24app/layout';

/** Visible texts of the approval activity, per portal language; resolved with resolveText (lang → en → first). */
export const APPROVAL_LABELS = {
  pending: { en: 'Awaiting approval', de: 'Wartet auf Freigabe', ru: 'Ожидает согласования' },
  approved: { en: 'Approved', de: 'Genehmigt', ru: 'Согласовано' },
  rejected: { en: 'Rejected', de: 'Abgelehnt', ru: 'Отклонено' },
  failed: { en: 'Not applied', de: 'Nicht übernommen', ru: 'Не применено' },
  approve: { en: 'Approve', de: 'Genehmigen', ru: 'Согласовать' },
  reject: { en: 'Reject', de: 'Ablehnen', ru: 'Отклонить' },
  details: { en: 'Details', de: 'Details', ru: 'Подробнее' },
  requestedBy: { en: 'Requested by', de: 'Angefordert von', ru: 'Инициатор' },
  deadline: { en: 'Deadline', de: 'Frist', ru: 'Крайний срок' },
  approvedBy: { en: 'Approved by', de: 'Genehmigt von', ru: 'Согласовал' },
  rejectedBy: { en: 'Rejected by', de: 'Abgelehnt von', ru: 'Отклонил' },
  decidedAt: { en: 'Decided at', de: 'Entschieden am', ru: 'Дата решения' },
  comment: { en: 'Comment', de: 'Kommentar', ru: 'Комментарий' },
  error: {
    en: 'The decision could not be applied',
    de: 'Die Entscheidung konnte nicht übernommen werden',
    ru: 'Решение не удалось применить',
  },
  unknownError: {
    en: 'Unknown error. Please try again.',
    de: 'Unbekannter Fehler. Bitte erneut versuchen.',
    ru: 'Неизвестная ошибка. Попробуйте ещё раз.',
  },
  user: { en: 'User', de: 'Benutzer', ru: 'Пользователь' },
} as const satisfies Record<string, TextWithTranslation>;

export type ApprovalLabel = keyof typeof APPROVAL_LABELS;
