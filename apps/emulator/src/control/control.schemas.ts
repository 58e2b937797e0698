import { z } from 'zod';
import { isCrmEntityType } from '../portal/portal-service.js';

// Request bodies and queries of the control API.

const limits = z.object({
  burst: z.number().int().positive().optional(),
  drainPerSec: z.number().positive().optional(),
  operatingBudgetSec: z.number().nonnegative().optional(),
  operatingCostSec: z.number().nonnegative().optional(),
});

export const createPortalSchema = z.object({
  /** A fixed member id (32 hex); default: deterministic per emulator run. Tests sharing a database pass random ones. */
  memberId: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
  name: z.string().min(1).optional(),
  plan: z.enum(['standard', 'enterprise']).optional(),
  lang: z.string().min(2).max(5).optional(),
  limits: limits.optional(),
});

export const createUserSchema = z.object({
  name: z.string().min(1),
  admin: z.boolean().optional(),
  email: z.string().optional(),
  /** read but not edit CRM items (the timeline shows it read-only) */
  crmReadOnly: z.boolean().optional(),
});

/** lead 1, deal 2, contact 3, company 4, or a smart process (128–191, 1030+) */
const crmEntityTypeId = z
  .number()
  .int()
  .refine(
    isCrmEntityType,
    'must be 1 (lead), 2 (deal), 3 (contact), 4 (company) or a smart process type (128–191, 1030+)',
  );

export const createCrmItemSchema = z.object({
  entityTypeId: crmEntityTypeId,
  title: z.string().min(1),
});

export const createCrmTypeSchema = z.object({ title: z.string().min(1).max(200) });

export const createWebhookSchema = z.object({ userId: z.number().int().positive().optional() });

export const registerAppSchema = z.object({
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  name: z.string().optional(),
  installUrl: z.url(),
  appUrl: z.url().optional(),
  installEventUrl: z.url().optional(),
  scope: z.string().optional(),
  withUi: z.boolean().optional(),
  status: z.enum(['L', 'F', 'D', 'T', 'P', 'S']).optional(),
  version: z.number().int().positive().optional(),
});

export const installSchema = z.object({
  userId: z.number().int().positive().optional(),
  finish: z.boolean().optional(),
  framePost: z.boolean().optional(),
});
export const uninstallSchema = z.object({ clean: z.boolean().optional() });

export const clickSchema = z.object({
  activityId: z.number().int().positive(),
  actionId: z.string().min(1),
  userId: z.number().int().positive().optional(),
  location: z.enum(['button', 'menu', 'tag', 'title', 'logo', 'link']).optional(),
  key: z.string().optional(),
  force: z.boolean().optional(),
});

export const runRobotSchema = z.object({
  clientId: z.string().min(1),
  code: z.string().min(1),
  entityTypeId: crmEntityTypeId,
  entityId: z.number().int().positive(),
  /** values by property key; user properties as `user_<id>` */
  properties: z.record(z.string(), z.unknown()).optional(),
  userId: z.number().int().positive().optional(),
});
export type RunRobotBody = z.input<typeof runRobotSchema>;

export const endRunSchema = z.object({ as: z.enum(['timed_out', 'stopped']) });

export const tokensSchema = z.object({ clientId: z.string().optional() });
export const issueTokensSchema = z.object({ clientId: z.string(), userId: z.number().int().positive().optional() });
export const limitsSchema = limits;

export const failureSchema = z
  .object({
    memberId: z.string().optional(),
    method: z.string().min(1),
    /** the next `count` calls; or `persistent: true` for every call until DELETE /failures */
    count: z.number().int().positive().optional(),
    persistent: z.literal(true).optional(),
    kind: z.enum(['503', '500', 'timeout', 'network', 'error', 'delay']),
    phase: z.enum(['before', 'after']).optional(),
    /** kind 'error': the Bitrix24 error answered ({error, error_description} with this HTTP status) */
    error: z
      .object({
        code: z.string().min(1),
        description: z.string().optional(),
        status: z.number().int().min(400).max(599).optional(),
      })
      .optional(),
    /** wait before answering; required for kind 'delay' */
    delayMs: z.number().int().nonnegative().max(600_000).optional(),
    /** only calls whose params carry this dotted path, e.g. `fields.responsibleId` (a value the portal refuses) */
    whenParam: z.string().min(1).max(200).optional(),
  })
  .refine((f) => (f.count === undefined) !== (f.persistent === undefined), {
    message: 'give either count or persistent: true',
  })
  .refine((f) => f.kind !== 'error' || f.error !== undefined, { message: "kind 'error' needs error.code" })
  .refine((f) => f.kind !== 'delay' || (f.delayMs ?? 0) > 0, { message: "kind 'delay' needs delayMs" });

/** what POST /failures takes (the client's `injectFailures`) */
export type FailureInput = z.input<typeof failureSchema>;

export const holdSchema = z
  .object({
    memberId: z.string().optional(),
    /** event name, e.g. ONAPPUNINSTALL (case-insensitive) */
    event: z.string().min(1),
    count: z.number().int().positive().optional(),
    persistent: z.literal(true).optional(),
  })
  .refine((h) => (h.count === undefined) !== (h.persistent === undefined), {
    message: 'give either count or persistent: true',
  });

/** what POST /holds takes (the client's `holdEvents`) */
export type HoldInput = z.input<typeof holdSchema>;

export const releaseSchema = z.object({
  /** the `ts` the delivered payload carries (unix seconds); default: the one it was built with */
  ts: z.number().int().nonnegative().optional(),
});

export const releaseAllSchema = releaseSchema.extend({
  memberId: z.string().optional(),
  event: z.string().optional(),
});

export const settingsSchema = z
  .object({
    accessTokenTtlSec: z.number().int().positive(),
    refreshTokenTtlSec: z.number().int().positive(),
    sendUserIdInData: z.boolean(),
    retryFailedDeliveries: z.boolean(),
    deliveryRetries: z.number().int().nonnegative(),
    deliveryRetryDelayMs: z.number().int().nonnegative(),
    deliveryTimeoutMs: z.number().int().positive(),
    invalidateAccessTokenOnRefresh: z.boolean(),
    unknownTokenError: z.enum(['NO_AUTH_FOUND', 'invalid_token']),
    legacyFramePost: z.boolean(),
    batchOperating: z.enum(['inner', 'batch']),
    duplicateBindError: z.enum(['ERROR_CORE', 'ERROR_HANDLER_ALREADY_EXIST']),
    authCodeTtlSec: z.number().int().positive(),
    partialConfigurableUpdate: z.boolean(),
  })
  .partial();

/** moves the emulator's clock forward (tokens expire, limits drain, locks age); never back */
export const clockSchema = z.object({
  advanceMs: z
    .number()
    .int()
    .positive()
    .max(366 * 24 * 3600 * 1000),
});

export const logQuerySchema = z.object({
  memberId: z.string().optional(),
  method: z.string().optional(),
  host: z.string().optional(),
  event: z.string().optional(),
  since: z.coerce.number().int().optional(),
});
