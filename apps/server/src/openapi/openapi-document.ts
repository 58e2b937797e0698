/**
 * The OpenAPI document of the integrations API (/api/v1), generated from the zod schemas the routes parse with
 * and the ones their answers are checked against (@asteasolutions/zod-to-openapi). A test checks that it is a
 * valid document and that it lists exactly the /api/v1 routes express has.
 */
import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  approvalCreatedSchema,
  approvalCreatingSchema,
  approvalDetailsSchema,
  errorBodySchema,
} from '../approvals/approval-responses.schemas.js';
import { approvalIdSchema, createApprovalSchema } from '../approvals/approval.schemas.js';
import { waitParamSchema } from '../approvals/approval-wait.schemas.js';

type OpenApiDocument = ReturnType<OpenApiGeneratorV3['generateDocument']>;

const DESCRIPTION = `Create approval requests in a portal's CRM timeline and read their decisions.

**Authentication**: \`Authorization: Bearer <key>\`. Either a portal's own API key (\`b24a_…\`, issued by a portal
administrator on the app page), which acts on that portal only, or the operator's \`API_TOKEN\`, which acts on
every installed portal (then \`memberId\` is required).

**Limits**: each portal API key may send \`API_KEY_RATE_PER_S\` requests a second (default 50) plus a burst of
\`API_KEY_RATE_BURST\` (default 500) per 10 s; beyond, 429 \`API_RATE_LIMITED\` with \`Retry-After\`. A 429
\`RATE_LIMITED\` is the portal's own Bitrix24 limit instead. The operator's token has no rate limit of ours. A
burst of creates is never refused for the portal's limit: each is recorded and answered 201 or 202, and the
activities follow as fast as the portal's bucket allows.

**Errors**: \`{"error": {"code", "message", "details?"}}\` with a stable \`code\`.`;

function build(): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: "A portal API key (b24a_…) or the operator's API_TOKEN",
  });
  const security = [{ [bearer.name]: [] }];
  // Named components (zod's own .meta ids: no patching of zod's prototype needed).
  const created = approvalCreatedSchema.meta({ id: 'ApprovalCreated' });
  const creating = approvalCreatingSchema.meta({ id: 'ApprovalCreating' });
  const details = approvalDetailsSchema.meta({ id: 'Approval' });
  const error = errorBodySchema.meta({ id: 'Error' });
  const createBody = createApprovalSchema.meta({ id: 'CreateApproval' });
  const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
  const failure = (description: string) => ({ description, ...json(error) });
  const tooMany = {
    description:
      "API_RATE_LIMITED: this API key sent too many requests; RATE_LIMITED: the portal's Bitrix24 limit is reached",
    headers: {
      'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' as const } },
    },
    ...json(error),
  };

  registry.registerPath({
    method: 'post',
    path: '/api/v1/approvals',
    operationId: 'createApproval',
    summary: 'Create an approval on a CRM item',
    description:
      'Records the approval and adds its activity (Approve / Reject buttons) to the CRM item as fast as the ' +
      "portal's bucket allows: answered 201 with the activity id when it came within APPROVAL_CREATE_WAIT_MS, " +
      'else 202 (read Location, with ?wait=, for the id). One Idempotency-Key yields one approval and one activity, ' +
      'however its requests overlap.',
    security,
    request: {
      headers: z.object({
        'Idempotency-Key': z
          .string()
          .min(1)
          .max(255)
          .optional()
          .meta({ description: 'Repeating a create with it answers the same approval instead of a second one' }),
      }),
      body: { required: true, ...json(createBody) },
    },
    responses: {
      201: { description: 'Created: the activity of the approval this request recorded was added', ...json(created) },
      200: { description: 'The Idempotency-Key was used before: the same approval, nothing created', ...json(created) },
      202: {
        description:
          'Accepted: recorded, and the activity is still being added (the portal is busy). Read Location with ' +
          '?wait=10s for its id, or send the key again.',
        headers: {
          Location: { description: '/api/v1/approvals/{id}', schema: { type: 'string' as const } },
        },
        ...json(creating),
      },
      400: failure('VALIDATION_FAILED (details name each field) or BAD_REQUEST (not JSON)'),
      401: failure('UNAUTHORIZED: no key, an unknown key or a revoked one'),
      403: failure(
        'PORTAL_MISMATCH: a portal API key named another portal in memberId; FORBIDDEN: the portal denied the add ' +
          '(a CRM item it does not show)',
      ),
      404: failure('NOT_FOUND: the portal says the CRM item does not exist'),
      409: failure('CONFLICT: the Idempotency-Key was used for another CRM item; PORTAL_NOT_INSTALLED'),
      413: failure('PAYLOAD_TOO_LARGE'),
      422: failure('UPSTREAM_REJECTED: the portal refused the activity (unknown CRM item, …)'),
      429: {
        ...tooMany,
        description: "API_RATE_LIMITED: this API key sent too many requests (never for the portal's own limit)",
      },
      503: failure('UPSTREAM_UNAVAILABLE: every attempt to add failed; send the same Idempotency-Key again'),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/v1/approvals/{id}',
    operationId: 'getApproval',
    summary: 'An approval: its state, the decision and the clicks on its card',
    description:
      'With ?wait=, a read of an approval still being created waits (long-poll, at most 30 s) until its activity ' +
      'exists or its creation failed, then answers; at the deadline it answers the pending state.',
    security,
    request: { params: approvalIdSchema, query: z.object({ wait: waitParamSchema.optional() }) },
    responses: {
      200: { description: 'The approval', ...json(details) },
      400: failure('VALIDATION_FAILED: not an approval id, or wait is not a duration up to 30s'),
      401: failure('UNAUTHORIZED'),
      404: failure('NOT_FOUND: no such approval (or one of another portal, for a portal API key)'),
      429: tooMany,
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/v1/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    security: [],
    responses: { 200: { description: 'The OpenAPI document', ...json(z.record(z.string(), z.unknown())) } },
  });

  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: { title: 'Approvals for Bitrix24: integrations API', version: '1', description: DESCRIPTION },
    security,
  });
}

let doc: OpenApiDocument | undefined;

/** Built once, on first use. */
export function openApiDocument(): OpenApiDocument {
  doc ??= build();
  return doc;
}
