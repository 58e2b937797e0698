import { z } from 'zod';
import { coded } from './issues.js';
import { isPlainObject, nonEmptyStringSchema } from './primitives.schemas.js';

// The exact values crm.activity.configurable.add/update accept for its two booleans (strict comparison).
const TRUE_VALUES: readonly unknown[] = ['Y', 'y', true, 1, '1', 'true'];
const FALSE_VALUES: readonly unknown[] = ['N', 'n', false, 0, '0', 'false'];

const activityFlagSchema = z
  .custom<string | number | boolean>((v) => TRUE_VALUES.includes(v) || FALSE_VALUES.includes(v), {
    error: 'must be one of "Y", "N", true, false, 1, 0 (also "y", "n", "1", "0", "true", "false")',
    abort: false, // keep checking: the incoming/deadline rule must still be reported
  })
  .transform((v): boolean => TRUE_VALUES.includes(v));

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

const deadlineSchema = z
  .string()
  .refine((s) => s === '' || (ISO_DATE_TIME.test(s) && !Number.isNaN(Date.parse(s))), {
    error: 'must be an ISO 8601 date-time such as 2025-02-01T01:00:00+03:00',
  })
  .nullable();

const pingOffsetSchema = z
  .custom<number | string>(
    (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0) || (typeof v === 'string' && /^\d+$/.test(v)),
    { error: 'must be a non-negative whole number of minutes', abort: false },
  )
  .transform(Number);

const responsibleIdSchema = z
  .custom<number | string>(
    (v) => (typeof v === 'number' && Number.isInteger(v) && v > 0) || (typeof v === 'string' && /^[1-9]\d*$/.test(v)),
    { error: 'must be a user id greater than 0', abort: false },
  )
  .transform(Number);

/** An activity flag as the portal reads it, for the cross-field rule (the value may not be normalised yet). */
function isTrueFlag(value: unknown): boolean {
  return TRUE_VALUES.includes(value);
}

/**
 * `fields` of crm.activity.configurable.add/update. Unknown keys are dropped (the portal ignores them);
 * booleans come out as booleans, ids as numbers and pingOffsets deduplicated, as the portal stores them.
 * A badgeCode must also exist on the portal, and a custom typeId must belong to the calling app: only the portal
 * can check those.
 */
export const activityFieldsSchema = z
  .object({
    /** `CONFIGURABLE` (the default) or a type the same app added with IS_CONFIGURABLE_TYPE=Y. */
    typeId: nonEmptyStringSchema.optional(),
    completed: activityFlagSchema.optional(),
    deadline: deadlineSchema.optional(),
    /** Minutes before the deadline at which ping records are created. */
    pingOffsets: z
      .array(pingOffsetSchema)
      .transform((offsets) => [...new Set(offsets)])
      .optional(),
    isIncomingChannel: activityFlagSchema.optional(),
    responsibleId: responsibleIdSchema.optional(),
    /** A badge registered with crm.activity.badge.add, or '' for none. */
    badgeCode: z.string().optional(),
    originatorId: z.string().nullable().optional(),
    originId: z.string().nullable().optional(),
  })
  .superRefine(
    (value, ctx) => {
      const raw = value as Record<string, unknown>;
      const deadline = raw.deadline;
      if (isTrueFlag(raw.isIncomingChannel) && typeof deadline === 'string' && deadline !== '') {
        ctx.addIssue({
          code: 'custom',
          path: ['deadline'],
          message: 'an incoming activity (isIncomingChannel) cannot have a deadline',
          params: coded('INCOMING_ACTIVITY_CAN_NOT_BE_WITH_DEADLINE'),
        });
      }
    },
    { when: (payload) => isPlainObject(payload.value) },
  );

export type ActivityFields = z.output<typeof activityFieldsSchema>;
