/** Bodies and queries of the app page's API (/api/app/*). Badge fields are checked by packages/layout after this. */
import { BADGE_TYPES } from '@b24app/layout';
import { z } from 'zod';

const MAX_PING_MINUTES = 30 * 24 * 60;

const text = z.union([z.string().max(200), z.record(z.string().regex(/^[a-z]{2}$/), z.string().max(200))]);

export const badgeInputSchema = z.object({
  code: z.string().max(64),
  title: text,
  value: text,
  type: z.enum(BADGE_TYPES),
});

export const settingsInputSchema = z.object({
  badgeCode: z.string().max(64).nullable(),
  language: z.enum(['en', 'ru']),
  iconCode: z.string().max(64).nullable().optional(),
  logoCode: z.string().max(64).nullable().optional(),
  /** Minutes before an approval's deadline at which Bitrix24 reminds the approver (0 = at the deadline). */
  pingOffsets: z
    .array(z.number().int().min(0, 'must be 0 or more minutes').max(MAX_PING_MINUTES, 'at most 30 days before'))
    .max(10, 'at most 10 reminders')
    .optional(),
  rejectCommentRequired: z.boolean().optional(),
  /** Notify the approver when an approval waits for them; the requester when it is decided (im.notify.system.add). */
  notifyApprover: z.boolean().optional(),
  notifyRequester: z.boolean().optional(),
});

const MESSAGES = {
  en: {
    title: 'Enter a title',
    tooLong: 'Too long: at most {n} characters',
    approver: 'Choose an approver',
    deadline: 'Pick a date and time',
    deadlinePast: 'The deadline must be in the future',
    comment: 'A comment is required to reject',
  },
  ru: {
    title: 'Укажите название',
    tooLong: 'Слишком длинно: не больше {n} символов',
    approver: 'Выберите согласующего',
    deadline: 'Укажите дату и время',
    deadlinePast: 'Крайний срок должен быть в будущем',
    comment: 'Чтобы отклонить, нужен комментарий',
  },
} as const;
export type FormLang = keyof typeof MESSAGES;
export const formMessage = (lang: FormLang, key: keyof (typeof MESSAGES)['en']) => MESSAGES[lang][key];

const b24Id = z.number().int().positive().max(2_147_483_647);

/**
 * "Request approval" from a CRM item's placement: one message per field, in the page's language, so the form
 * shows each under its field. The deadline, when given, must be ahead (Bitrix24 would remind about the past).
 */
export function requestApprovalSchema(lang: FormLang, now: () => number = Date.now) {
  const m = MESSAGES[lang];
  const tooLong = (n: number) => m.tooLong.replace('{n}', String(n));
  return z.object({
    ownerTypeId: b24Id,
    ownerId: b24Id,
    title: z.string({ error: m.title }).trim().min(1, m.title).max(255, tooLong(255)),
    description: z.string().max(5_000, tooLong(5_000)).optional(),
    responsibleId: z.number({ error: m.approver }).int(m.approver).positive(m.approver).max(2_147_483_647, m.approver),
    deadline: z.iso
      .datetime({ offset: true, error: m.deadline })
      .refine((d) => Date.parse(d) > now(), m.deadlinePast)
      .optional(),
    /** The form's submit: the same id again (a double click, a retry) creates nothing more. */
    requestId: z.uuid(),
  });
}
export type RequestApprovalInput = z.infer<ReturnType<typeof requestApprovalSchema>>;

export const MAX_COMMENT = 2_000;

/** A decision from the approval's details (the card's Reject when a comment is required, or Approve with a note). */
export function decisionInputSchema(lang: FormLang) {
  const m = MESSAGES[lang];
  return z.object({
    decision: z.enum(['approve', 'reject']),
    comment: z
      .string()
      .trim()
      .max(MAX_COMMENT, m.tooLong.replace('{n}', String(MAX_COMMENT)))
      .optional(),
    requestId: z.uuid(),
  });
}
export type DecisionInput = z.infer<ReturnType<typeof decisionInputSchema>>;

export const userSearchQuerySchema = z.object({ q: z.string().trim().max(100).optional() });

export const approvalListQuerySchema = z.object({
  state: z.enum(['pending', 'approved', 'rejected', 'all']).default('all'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  q: z.string().max(200).optional(),
});

export const uuidParam = z.object({ id: z.string().uuid() });
export const activityIdParam = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) });
export const badgeCodeParam = z.object({ code: z.string().min(1).max(64) });

/** A new portal API key: only its name; the key and its signing secret are made by the server. */
export const apiKeyInputSchema = z.object({ name: z.string().trim().min(1).max(100) }).strict();
