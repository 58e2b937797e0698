/** Bodies and queries of the app page's API (/api/app/*). Badge fields are checked by packages/layout after this. */
import { BADGE_TYPES } from '@b24app/layout';
import { z } from 'zod';

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
});

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
