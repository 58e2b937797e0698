import { z } from 'zod';

/** Bitrix24 ids are positive 32-bit integers (and so are our columns): a larger one is the client's mistake. */
const b24Id = (what: string) =>
  z.number().int().positive().max(2_147_483_647, `must be a ${what} id: a positive integer up to 2147483647`);

export const createApprovalSchema = z
  .object({
    memberId: z
      .string()
      .regex(/^[0-9a-fA-F]{32}$/, 'must be the portal member_id (32 hex characters)')
      .optional()
      .meta({
        description:
          "The portal's member_id. Required with the operator's API_TOKEN; with a portal API key it may be omitted " +
          '(the key names its portal), and when given it must be that portal (else 403 PORTAL_MISMATCH).',
      }),
    ownerTypeId: b24Id('CRM entity type').meta({ description: 'CRM entity type id (2: deal)', example: 2 }),
    ownerId: b24Id('CRM item').meta({ description: 'CRM item id', example: 15 }),
    title: z.string().trim().min(1).max(255),
    description: z.string().max(5_000).optional(),
    responsibleId: b24Id('user').optional().meta({ description: 'The approver (a Bitrix24 user id)' }),
    requester: z.object({ id: b24Id('user'), name: z.string().max(255).optional() }).optional(),
    deadline: z.iso.datetime({ offset: true }).optional(),
    callbackUrl: z
      .string()
      .max(2_000)
      .optional()
      .meta({
        description:
          'Where the decision is POSTed, signed (see "Decision callbacks"): https to a public address. A private, ' +
          'link-local or loopback target is refused (422 CALLBACK_URL_REFUSED).',
        example: 'https://erp.example.com/hooks/approvals',
      }),
    idempotencyKey: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .meta({ description: 'The same as the Idempotency-Key header (the header wins)' }),
  })
  .strict();

/** What the service creates from: the body with the caller's portal resolved, and the portal key that asked. */
export type CreateApprovalInput = z.infer<typeof createApprovalSchema> & {
  memberId: string;
  /** Null: the operator's API_TOKEN. */
  apiKeyId?: string | null;
};

export const approvalIdSchema = z.object({ id: z.uuid('must be an approval id') });
