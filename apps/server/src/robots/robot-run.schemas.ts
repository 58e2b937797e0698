import { z } from 'zod';
import { identityAuth, intString } from '../events/bitrix-event.schemas.js';

/**
 * A robot run as Bitrix24's automation POSTs it to the handler (form-encoded, bracket notation, every scalar a
 * string): workflow_id, code, document_id[0..2], document_type[0..2], event_token, properties[…],
 * use_subscription, timeout_duration, ts, auth[…] (AUTH_USER_ID's tokens, application_token, member_id).
 * Checked in two steps: the portal and its application token first, the rest only for a verified portal.
 */

/** Step 1: who says they are calling. */
export const robotCallerSchema = z.object({
  auth: identityAuth.pick({ member_id: true, application_token: true }),
});

/** ['crm', 'CCrmDocumentDeal', 'DEAL_15'] as `document_id[0]`, `[1]`, `[2]`. */
const documentTriple = z
  .record(z.string(), z.string().max(255))
  .refine((r) => Object.keys(r).sort().join(',') === '0,1,2', 'must have exactly the elements 0, 1 and 2')
  .transform((r) => [r['0'], r['1'], r['2']] as [string, string, string]);

const formValue: z.ZodType<string | { [key: string]: unknown }> = z.union([
  z.string(),
  z.record(z.string(), z.unknown()),
]);

/** Step 2: the run itself. Unknown keys are ignored: Bitrix24 adds fields over time. */
export const robotRunSchema = z.object({
  event_token: z.string().min(1).max(1024),
  workflow_id: z.string().max(128).optional(),
  code: z.string().min(1).max(128),
  document_id: documentTriple,
  document_type: documentTriple.optional(),
  properties: z.record(z.string(), formValue).default({}),
  use_subscription: z.string().max(8).optional(),
  ts: intString.optional(),
  auth: identityAuth.extend({ user_id: intString.optional() }),
});

export type RobotRunDelivery = z.infer<typeof robotRunSchema>;

/** `user_<id>` (a `user` property), or the one value of a multiple one. */
const userRef = z
  .union([z.string(), z.record(z.string(), z.string()).transform((r) => Object.values(r))])
  .transform((v, ctx) => {
    const values = typeof v === 'string' ? [v] : v;
    const m = values.length === 1 ? /^user_(\d{1,10})$/.exec(values[0] ?? '') : null;
    const id = m ? Number(m[1]) : 0;
    if (id > 0 && id <= 2_147_483_647) return id;
    ctx.addIssue({ code: 'custom', message: 'must be one user (user_<id>)' });
    return z.NEVER;
  });

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const PORTAL = /^(\d{2})\.(\d{2})\.(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * A `datetime` property: ISO 8601, or the portal's `DD.MM.YYYY[ HH:MM[:SS]]`. A value without an offset is read
 * as UTC (the handler is not told the portal's time zone). Null for an empty value; undefined when it is no date.
 */
export function parseDeadline(raw: string): Date | null | undefined {
  const s = raw.trim();
  if (s === '') return null;
  const iso = ISO.exec(s);
  const portal = iso ? null : PORTAL.exec(s);
  if (!iso && !portal) return undefined;
  const [y, mo, d, h, mi, se] = iso
    ? [iso[1], iso[2], iso[3], iso[4], iso[5], iso[6]]
    : [portal![3], portal![2], portal![1], portal![4], portal![5], portal![6]];
  const parts = [y, mo, d, h ?? '0', mi ?? '0', se ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const utc = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5]));
  // 31.02 or 25:00 roll over: not a date
  if (
    utc.getUTCFullYear() !== parts[0] ||
    utc.getUTCMonth() !== parts[1] - 1 ||
    utc.getUTCDate() !== parts[2] ||
    utc.getUTCHours() !== parts[3] ||
    utc.getUTCMinutes() !== parts[4]
  ) {
    return undefined;
  }
  const offset = iso?.[7];
  if (!offset || offset === 'Z') return utc;
  const sign = offset.startsWith('-') ? -1 : 1;
  const [oh, om] = [Number(offset.slice(1, 3)), Number(offset.slice(-2))];
  return new Date(utc.getTime() - sign * (oh * 60 + om) * 60_000);
}

const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((v) => (v?.trim() ? v : null));

/** The `request_approval` robot's PROPERTIES (install/robot-registration.ts). */
export const requestApprovalPropertiesSchema = z.object({
  title: z.string().trim().min(1, 'is required').max(255),
  description: optionalText(5_000),
  approver: userRef,
  deadline: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const d = parseDeadline(v ?? '');
      if (d !== undefined) return d;
      ctx.addIssue({ code: 'custom', message: 'must be a date and time (ISO 8601 or DD.MM.YYYY HH:MM:SS)' });
      return z.NEVER;
    }),
});

export type RequestApprovalProperties = z.infer<typeof requestApprovalPropertiesSchema>;
