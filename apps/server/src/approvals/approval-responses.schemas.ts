/**
 * What the integrations API answers, as zod schemas: the OpenAPI document is generated from them, and the
 * end-to-end tests check real answers against them.
 */
import { type ErrorCode, ERROR_HTTP_STATUS } from '@b24app/core';
import { CLICK_OUTCOMES, type ClickOutcome } from '@b24app/db';
import { z } from 'zod';

const id = z.uuid().meta({ description: 'The approval id' });
const activityId = z.number().int().positive().meta({ description: 'The CRM activity id on the portal' });
const time = z.iso.datetime();

export const approvalCreatedSchema = z.object({ id, activityId });

export const approvalCreatingSchema = z.object({
  id,
  activityId: activityId.nullable().meta({ description: 'null until the activity exists' }),
  state: z.literal('creating'),
});

export const approvalDetailsSchema = z.object({
  id,
  memberId: z.string(),
  ownerTypeId: z.number().int(),
  ownerId: z.number().int(),
  activityId: activityId.nullable(),
  title: z.string(),
  state: z.enum(['pending', 'approved', 'rejected']),
  decidedBy: z.object({ id: z.number().int(), name: z.string().nullable() }).nullable(),
  decidedAt: time.nullable(),
  comment: z.string().nullable().meta({ description: "The decider's comment (a reject's reason, an approve's note)" }),
  lastError: z.string().nullable(),
  callbackUrl: z.string().nullable().meta({ description: 'Where the decision is POSTed (null: no callback)' }),
  createdAt: time,
  creation: z
    .object({ state: z.enum(['pending', 'done', 'failed']), error: z.string().nullable() })
    .nullable()
    .meta({
      description:
        "The creation job's progress: pending until the activity is added (a create answered 202), done, or failed " +
        "with the portal's reason. Null for an approval created before creates were paced.",
    }),
  deliveries: z
    .array(
      z.object({
        kind: z
          .string()
          .meta({ description: '`callback` (the decision callback), `bizproc_event` (a robot’s answer)' }),
        state: z.enum(['pending', 'done', 'failed']),
        attempts: z.number().int().nonnegative(),
        outcome: z
          .string()
          .nullable()
          .meta({ description: 'How it ended: `sent`, `gave_up` (after 26 h of retries for a callback), …' }),
        lastError: z.string().nullable().meta({
          description: 'Why the last attempt failed: `timeout`, `network`, `http_<status>`, `refused_address`…',
        }),
        deliveredAt: time.nullable(),
      }),
    )
    .meta({ description: 'What the decision owes, each with its attempts and how it ended' }),
  clicks: z
    .array(
      z.object({
        id: z.uuid(),
        actionId: z.string(),
        userId: z.number().int(),
        state: z.enum(['received', 'enqueued', 'processing', 'done', 'failed']),
        outcome: z.enum(Object.keys(CLICK_OUTCOMES) as [ClickOutcome, ...ClickOutcome[]]).nullable(),
        receivedAt: time,
        enqueuedAt: time.nullable(),
        processingStartedAt: time.nullable(),
        updatedActivityAt: time.nullable(),
        finishedAt: time.nullable(),
      }),
    )
    .meta({ description: 'Each click on the card: its path with timestamps, and how it ended' }),
});

export const errorBodySchema = z.object({
  error: z.object({
    code: z
      .enum(Object.keys(ERROR_HTTP_STATUS) as [ErrorCode, ...ErrorCode[]])
      .meta({ description: 'Stable; never changes meaning' }),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
