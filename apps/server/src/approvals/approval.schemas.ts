import { z } from 'zod';

/** Bitrix24 ids are positive 32-bit integers (and so are our columns): a larger one is the client's mistake. */
const b24Id = (what: string) =>
  z.number().int().positive().max(2_147_483_647, `must be a ${what} id: a positive integer up to 2147483647`);

export const createApprovalSchema = z
  .object({
    memberId: z.string().regex(/^[0-9a-f]{32}$/i, 'must be the portal member_id (32 hex characters)'),
    ownerTypeId: b24Id('CRM entity type'),
    ownerId: b24Id('CRM item'),
    title: z.string().trim().min(1).max(255),
    description: z.string().max(5_000).optional(),
    responsibleId: b24Id('user').optional(),
    requester: z.object({ id: b24Id('user'), name: z.string().max(255).optional() }).optional(),
    deadline: z.iso.datetime({ offset: true }).optional(),
    idempotencyKey: z.string().min(1).max(255).optional(),
  })
  .strict();

export type CreateApprovalInput = z.infer<typeof createApprovalSchema>;

export const approvalIdSchema = z.object({ id: z.uuid('must be an approval id') });
