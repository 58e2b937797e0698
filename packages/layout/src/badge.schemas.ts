import { z } from 'zod';
import { BADGE_TYPES } from './catalogs.js';
import { coded } from './issues.js';
import { isPlainObject, textWithTranslationSchema } from './primitives.schemas.js';
import type { TextWithTranslation } from './translation.js';

/**
 * Badge codes: the portal only requires a unique non-empty string; we also keep them to the collection-key
 * alphabet so a code is safe in URLs, logs and `fields.badgeCode` (e.g. `missedCall`, `approval_pending`).
 */
export const BADGE_CODE_PATTERN = /^[a-zA-Z0-9_-]+$/;

/** crm.activity.badge.add rejects empty texts, including empty translations. */
const badgeTextSchema = textWithTranslationSchema.superRefine((value: TextWithTranslation, ctx) => {
  if (value === '') {
    ctx.addIssue({ code: 'custom', message: 'must not be empty', params: coded('FIELD_IS_REQUIRED') });
  } else if (isPlainObject(value)) {
    for (const [lang, text] of Object.entries(value)) {
      if (text === '') {
        ctx.addIssue({
          code: 'custom',
          path: [lang],
          message: 'a translation must not be empty',
          params: coded('WRONG_FIELD_VALUE'),
        });
      }
    }
  }
});

/** The parameters of crm.activity.badge.add (and the shape badge.get/list return). */
export const badgeSchema = z.object({
  code: z.string().superRefine((code, ctx) => {
    if (code === '') {
      ctx.addIssue({ code: 'custom', message: 'must not be empty', params: coded('FIELD_IS_REQUIRED') });
    } else if (!BADGE_CODE_PATTERN.test(code)) {
      ctx.addIssue({
        code: 'custom',
        message: `may contain only Latin letters, digits, "_" and "-" (e.g. missedCall), got ${JSON.stringify(code)}`,
        params: coded('WRONG_FIELD_VALUE'),
      });
    }
  }),
  title: badgeTextSchema,
  value: badgeTextSchema,
  type: z.enum(BADGE_TYPES),
});

export type Badge = z.output<typeof badgeSchema>;
