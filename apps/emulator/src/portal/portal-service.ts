import type { EmulatorContext } from '../emulator-context.js';
import { emptyBucket, ENTERPRISE_LIMITS, STANDARD_LIMITS } from '../limits/leaky-bucket.js';
import { memberIdFor } from '../state/ids.js';
import type { CrmEntityTypeId, CrmItem, CrmType, PlanName, Portal, PortalLimits, User } from '../state/model.js';

// Portals, their users and CRM items. A portal's listener is started by the caller (it owns the port).

export const DEFAULT_OPERATING_BUDGET_SEC = 480;

export interface CreatePortalInput {
  memberId?: string;
  name?: string;
  plan?: PlanName;
  lang?: string;
  limits?: Partial<PortalLimits>;
}

export function newPortal(ctx: EmulatorContext, input: CreatePortalInput, port: number): Portal {
  const seq = ++ctx.state.seq.portal;
  const plan = input.plan ?? 'standard';
  const preset = plan === 'enterprise' ? ENTERPRISE_LIMITS : STANDARD_LIMITS;
  const domain = `${ctx.host}:${port}`;
  const portal: Portal = {
    memberId: input.memberId ?? memberIdFor(seq),
    name: input.name ?? `Portal ${seq}`,
    plan,
    domain,
    port,
    clientEndpoint: `http://${domain}/rest/`,
    lang: input.lang ?? 'en',
    users: new Map(),
    nextUserId: 1,
    crmItems: new Map(),
    nextCrmId: {},
    crmTypes: [],
    activities: new Map(),
    nextActivityId: 1001,
    badges: new Map(),
    activityTypes: new Map(),
    webhooks: new Map(),
    robots: new Map(),
    robotRuns: new Map(),
    nextRobotRunId: 1,
    placements: [],
    nextPlacementId: 1,
    notifications: [],
    nextNotificationId: 1,
    limits: { ...preset, operatingBudgetSec: DEFAULT_OPERATING_BUDGET_SEC, ...input.limits },
    bucket: emptyBucket(ctx.now()),
    operating: new Map(),
  };
  ctx.state.portals.set(portal.memberId, portal);
  addUser(portal, { name: 'Admin Adminov', admin: true });
  return portal;
}

export function addUser(
  portal: Portal,
  u: { name: string; admin?: boolean; email?: string; crmReadOnly?: boolean },
): User {
  const id = portal.nextUserId++;
  const [first, ...rest] = u.name.trim().split(/\s+/);
  const user: User = {
    id,
    name: first ?? u.name,
    lastName: rest.join(' '),
    email: u.email ?? `user${id}@${portal.domain.split(':')[0]}.example`,
    admin: u.admin ?? false,
    crmReadOnly: u.crmReadOnly ?? false,
  };
  portal.users.set(id, user);
  return user;
}

export function crmItemKey(entityTypeId: number, id: number): string {
  return `${entityTypeId}:${id}`;
}

export function addCrmItem(
  ctx: EmulatorContext,
  portal: Portal,
  i: { entityTypeId: CrmEntityTypeId; title: string },
): CrmItem {
  const id = portal.nextCrmId[i.entityTypeId] ?? 1;
  portal.nextCrmId[i.entityTypeId] = id + 1;
  const item: CrmItem = { id, entityTypeId: i.entityTypeId, title: i.title, createdAt: ctx.now() };
  portal.crmItems.set(crmItemKey(i.entityTypeId, id), item);
  return item;
}

/** A smart process: entityTypeId 128 for the first, then every second id, as Bitrix24 numbers them. */
export function addCrmType(ctx: EmulatorContext, portal: Portal, t: { title: string }): CrmType {
  const last = portal.crmTypes.at(-1);
  const type: CrmType = {
    id: (last?.id ?? 0) + 1,
    entityTypeId: last ? last.entityTypeId + 2 : 128,
    title: t.title,
    createdAt: ctx.now(),
  };
  portal.crmTypes.push(type);
  return type;
}

export function findCrmItem(portal: Portal, entityTypeId: number, id: number): CrmItem | undefined {
  return portal.crmItems.get(crmItemKey(entityTypeId, id));
}

export function setLimits(portal: Portal, l: Partial<PortalLimits>, nowMs: number): void {
  portal.limits = { ...portal.limits, ...l };
  // new limits start from an empty bucket, so a test sees exactly `burst` admitted requests
  portal.bucket = emptyBucket(nowMs);
}

/** The entity types with a legacy API of their own (crm.lead.*, crm.deal.*, …). */
export const ENTITY_TYPE_NAMES: Record<1 | 2 | 3 | 4, string> = { 1: 'lead', 2: 'deal', 3: 'contact', 4: 'company' };

/** A smart process's entityTypeId (CCrmOwnerType::isPossibleDynamicTypeId). */
export const isDynamicEntityType = (id: number): boolean =>
  Number.isInteger(id) && ((id >= 128 && id < 192) || id >= 1030);

export const isCrmEntityType = (id: number): boolean => id in ENTITY_TYPE_NAMES || isDynamicEntityType(id);

export function entityTypeName(id: CrmEntityTypeId): string {
  return ENTITY_TYPE_NAMES[id as keyof typeof ENTITY_TYPE_NAMES] ?? `smart process ${id}`;
}
