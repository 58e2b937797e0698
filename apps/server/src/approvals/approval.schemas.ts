import { z } from 'zod';

export const createApprovalSchema = z
  .object({
    memberId: z.string().regex(/^[0-9a-f]{32}$/i, 'must be the portal member_id (32 hex characters)'),
    ownerTypeId: z.number().int().positive(),
    ownerId: z.number().int().positive(),
    title: z.string().trim().min(1).max(255),
    description: z.string().max(5_000).optional(),
    responsibleId: z.number().int().positive().optional(),
    requester: z.object({ id: z.number().int().positive(), name: z.string().max(255).optional() }).optional(),
    deadline: z.iso.datetime({ offset: true }).optional(),
    idempotencyKey: z.string().min(1).max(255).optional(),
  })
  .strict();

export type CreateApprovalInput = z.infer<typeof createApprovalSchema>;

export const approvalIdSchema = z.object({ id: z.uuid('must be an approval id') });
