/**
 * The frame POST that opens the app page (protocol §1.2): DOMAIN, PROTOCOL, LANG, APP_SID in the query, the
 * rest in the body. SERVER_ENDPOINT / APPLICATION_TOKEN / APPLICATION_SCOPE are optional (older portals omit
 * them). PLACEMENT_OPTIONS is a JSON string; for `openRestApp` it holds `entityTypeId`, `entityId`,
 * `activityId` and the action's params, all strings; Bitrix24's "About app" item adds `context=aboutMenuItem`; a CRM
 * item's placement (CRM_XXX_DETAIL_ACTIVITY) sends `{"ID": "<item id>"}`.
 */
import { z } from 'zod';
import { frameQuerySchema } from '../events/bitrix-event.schemas.js';

const memberId = z.string().regex(/^[0-9a-f]{32}$/i, 'must be 32 hex characters');
const intString = z
  .string()
  .regex(/^\d{1,10}$/, 'must be a positive integer')
  .transform(Number);

export const placementOptionsSchema = z
  .object({
    entityTypeId: intString.optional(),
    entityId: intString.optional(),
    activityId: intString.optional(),
    approvalId: z.string().uuid().optional(),
    context: z.string().max(64).optional(),
    /** the card's Reject when a comment is required: the details open on the reject form */
    decide: z.literal('reject').optional(),
    /** a CRM placement's item (CRM_XXX_DETAIL_ACTIVITY: {"ID": "<item id>"}) */
    ID: z.union([intString, z.number().int().positive().max(2_147_483_647)]).optional(),
  })
  .catchall(z.unknown());

export type PlacementOptions = z.infer<typeof placementOptionsSchema>;

export const appFrameSchema = z.object({
  query: frameQuerySchema,
  body: z.object({
    AUTH_ID: z.string().min(1).max(512),
    AUTH_EXPIRES: intString.default(3600),
    REFRESH_ID: z.string().max(512).optional(),
    SERVER_ENDPOINT: z.string().min(1).max(512).optional(),
    member_id: memberId,
    PLACEMENT: z.string().max(64).default('DEFAULT'),
    PLACEMENT_OPTIONS: z.string().max(4096).optional(),
  }),
});
export type AppFrame = z.infer<typeof appFrameSchema>;

/** Unparseable or odd options are not the user's fault: the page opens on its home view instead. */
export function parsePlacementOptions(raw: string | undefined): PlacementOptions {
  if (!raw) return {};
  try {
    const r = placementOptionsSchema.safeParse(JSON.parse(raw));
    return r.success ? r.data : {};
  } catch {
    return {};
  }
}

export const pageLang = (lang: string): 'en' | 'ru' =>
  ['ru', 'ua', 'by', 'kz'].includes(lang.toLowerCase()) ? 'ru' : 'en';
