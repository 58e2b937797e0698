import { z } from 'zod';

/**
 * Bitrix24 event envelopes (protocol §2.2, §1.3–1.4, §3). Every scalar arrives as a string; we
 * coerce only what we use and ignore unknown keys, because Bitrix24 adds fields over time.
 */
const memberId = z.string().regex(/^[0-9a-f]{32}$/i, 'must be 32 hex characters');
const appToken = z.string().min(1).max(128);
// Ids and timestamps are stored as PostgreSQL `integer`: a larger value is refused here (400), not by
// the database (500). Unix seconds fit until 2038.
const INT4_MAX = 2_147_483_647;
export const intString = z
  .string()
  .regex(/^\d{1,10}$/, 'must be a positive integer')
  .transform(Number)
  .refine((n) => n <= INT4_MAX, 'is too large');
const endpoint = z.string().min(1).max(512);

/** Portal identity + application_token: present on every app event, with or without tokens. */
export const identityAuth = z.object({
  domain: z.string().min(1).max(255),
  server_endpoint: endpoint,
  client_endpoint: endpoint,
  member_id: memberId,
  application_token: appToken,
});

/** The normal user-triggered set (no refresh_token). */
const userAuth = identityAuth.extend({
  access_token: z.string().min(1).max(512).optional(),
  expires: intString.optional(),
  expires_in: intString.optional(),
  scope: z.string().max(1024).optional(),
  status: z.string().max(2).optional(),
  user_id: intString.optional(),
});

/** ONAPPINSTALL / ONAPPUPDATE carry a refresh token as well. */
const installAuth = userAuth.extend({
  access_token: z.string().min(1).max(512),
  refresh_token: z.string().min(1).max(512),
});

const envelope = {
  event_handler_id: z.string().max(32).optional(),
  ts: intString.optional(),
};

export const appInstallEventSchema = z.object({
  event: z.literal('ONAPPINSTALL'),
  ...envelope,
  data: z
    .object({ VERSION: z.string().max(32).optional(), LANGUAGE_ID: z.string().max(8).optional() })
    .passthrough()
    .optional(),
  auth: installAuth,
});

export const appUpdateEventSchema = appInstallEventSchema.extend({ event: z.literal('ONAPPUPDATE') });

export const appUninstallEventSchema = z.object({
  event: z.literal('ONAPPUNINSTALL'),
  ...envelope,
  data: z
    .object({ CLEAN: z.enum(['0', '1']).optional(), LANGUAGE_ID: z.string().max(8).optional() })
    .passthrough()
    .optional(),
  auth: identityAuth.passthrough(),
});

/** actionParams are flattened into `data` next to the system keys (protocol §3.2): strings only. */
export const timelineActionEventSchema = z.object({
  event: z.literal('ONCRMTIMELINEITEMACTION'),
  ...envelope,
  data: z
    .object({
      id: z.string().min(1).max(64),
      entityTypeId: intString,
      entityId: intString,
      activityId: intString,
      userId: intString.optional(),
    })
    .catchall(z.string().max(1024)),
  auth: userAuth,
});

export const bitrixEventSchema = z.discriminatedUnion('event', [
  appInstallEventSchema,
  appUpdateEventSchema,
  appUninstallEventSchema,
  timelineActionEventSchema,
]);

export type AppInstallEvent = z.infer<typeof appInstallEventSchema>;
export type AppUpdateEvent = z.infer<typeof appUpdateEventSchema>;
export type AppUninstallEvent = z.infer<typeof appUninstallEventSchema>;
export type TimelineActionEvent = z.infer<typeof timelineActionEventSchema>;
export type BitrixEvent = z.infer<typeof bitrixEventSchema>;

/** Event names arrive uppercase, but method and event names are case-insensitive in Bitrix24. */
export const normaliseEventName = (e: unknown): unknown => (typeof e === 'string' ? e.toUpperCase() : e);

/** Install frame POST (protocol §1.2): four fields in the query, the rest in the body. */
/** The four query fields of every frame POST (installer, app page, placements). */
export const frameQuerySchema = z.object({
  DOMAIN: z.string().min(1).max(255),
  PROTOCOL: z.enum(['0', '1']).default('1'),
  LANG: z.string().max(8).default('en'),
  APP_SID: z.string().max(128).optional(),
});

export const installFrameSchema = z.object({
  query: frameQuerySchema,
  body: z.object({
    AUTH_ID: z.string().min(1).max(512),
    AUTH_EXPIRES: intString.default(3600),
    REFRESH_ID: z.string().min(1).max(512),
    SERVER_ENDPOINT: endpoint.optional(),
    APPLICATION_TOKEN: appToken.optional(),
    APPLICATION_SCOPE: z.string().max(1024).optional(),
    member_id: memberId,
    status: z.string().max(2).optional(),
    PLACEMENT: z.string().max(64).default('DEFAULT'),
    PLACEMENT_OPTIONS: z.string().max(4096).optional(),
  }),
});
export type InstallFrame = z.infer<typeof installFrameSchema>;
