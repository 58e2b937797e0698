import type { Layout } from '@b24app/layout';
import type { LeakyBucketState } from '../limits/leaky-bucket.js';
import type { OperatingState } from '../limits/operating-budget.js';

export type PlanName = 'standard' | 'enterprise';
export type AppStatus = 'L' | 'F' | 'D' | 'T' | 'P' | 'S';
/**
 * CRM entity types the emulator keeps items of: lead 1, deal 2, contact 3, company 4, and smart processes
 * (dynamic types, 128–191 and from 1030, as Bitrix24's CCrmOwnerType::isPossibleDynamicTypeId).
 */
export type CrmEntityTypeId = number;
export type LockKind = 'loader' | 'disable';

/** Switches for behaviour the protocol notes mark unconfirmed; changeable at runtime through the control API. */
export interface EmulatorSettings {
  accessTokenTtlSec: number;
  /**
   * Lifetime of a refresh token from its issue: 30 days, as captured tokens encode (the docs say up to 180 days,
   * older pages 28). An expired one is refused with invalid_grant, like a spent one.
   */
  refreshTokenTtlSec: number;
  /** data[userId] on ONCRMTIMELINEITEMACTION (documented, absent from the source) */
  sendUserIdInData: boolean;
  /** Bitrix24 documents no retry; on = up to `deliveryRetries` more attempts */
  retryFailedDeliveries: boolean;
  deliveryRetries: number;
  deliveryRetryDelayMs: number;
  deliveryTimeoutMs: number;
  /** the old docs say a refresh also kills the access token issued with the spent refresh token */
  invalidateAccessTokenOnRefresh: boolean;
  /** code for an unknown or revoked access token */
  unknownTokenError: 'NO_AUTH_FOUND' | 'invalid_token';
  /** omit SERVER_ENDPOINT, APPLICATION_TOKEN, APPLICATION_SCOPE from frame POSTs (as a 2024 capture did) */
  legacyFramePost: boolean;
  /** 'inner': batch sub-calls are billed to their own methods (2026 docs); 'batch': to `batch` (SDK PR #539) */
  batchOperating: 'inner' | 'batch';
  /** duplicate event.bind: ERROR_CORE (2021 source) or ERROR_HANDLER_ALREADY_EXIST (generic doc example) */
  duplicateBindError: 'ERROR_CORE' | 'ERROR_HANDLER_ALREADY_EXIST';
  authCodeTtlSec: number;
  /** crm.activity.configurable.update without `fields` or `layout` keeps the stored ones (the seed requires both) */
  partialConfigurableUpdate: boolean;
}

export const DEFAULT_SETTINGS: EmulatorSettings = {
  accessTokenTtlSec: 3600,
  refreshTokenTtlSec: 30 * 24 * 3600,
  sendUserIdInData: false,
  retryFailedDeliveries: false,
  deliveryRetries: 3,
  deliveryRetryDelayMs: 500,
  deliveryTimeoutMs: 10_000,
  invalidateAccessTokenOnRefresh: false,
  unknownTokenError: 'NO_AUTH_FOUND',
  legacyFramePost: false,
  batchOperating: 'inner',
  duplicateBindError: 'ERROR_CORE',
  authCodeTtlSec: 30,
  partialConfigurableUpdate: false,
};

export interface User {
  id: number;
  name: string;
  lastName: string;
  email: string;
  admin: boolean;
  /** may read but not edit CRM items: the timeline is read-only for them (hideIfReadonly, deadline) */
  crmReadOnly: boolean;
}

export interface CrmItem {
  id: number;
  entityTypeId: CrmEntityTypeId;
  title: string;
  createdAt: number;
}

/** A smart process (custom CRM object type) of the portal, as crm.type.list shows it. */
export interface CrmType {
  id: number;
  /** 128, 130, 132, …: the entityTypeId its items, activities and placements (CRM_DYNAMIC_<id>_…) use */
  entityTypeId: number;
  title: string;
  createdAt: number;
}

export interface PortalLimits {
  burst: number;
  drainPerSec: number;
  /** seconds per method per app in 10 minutes before 429 */
  operatingBudgetSec: number;
  /** simulated execution time added per call (seconds); by default the measured time */
  operatingCostSec?: number;
}

export interface ActivityFields {
  typeId: string;
  completed: boolean;
  deadline: string | null;
  pingOffsets: number[];
  isIncomingChannel: boolean;
  responsibleId: number;
  badgeCode: string;
  originatorId: string | null;
  originId: string | null;
}

export interface ConfigurableActivity {
  id: number;
  ownerTypeId: number;
  ownerId: number;
  clientId: string;
  fields: ActivityFields;
  /** as validated by @b24app/layout: flags as booleans, actionParams as strings, collections as keyed objects */
  layout: Layout;
  authorId: number;
  editorId: number;
  createdAt: number;
  updatedAt: number;
  updates: number;
}

export interface Badge {
  code: string;
  title: unknown;
  value: unknown;
  type: string;
  addedAt: number;
}

export interface ActivityType {
  typeId: string;
  name: string;
  clientId: string;
  isConfigurable: boolean;
}

export interface Webhook {
  code: string;
  userId: number;
}

/** A property (parameter or return value) of an app's automation rule, as bizproc.robot.add takes it. */
export interface RobotProperty {
  name: unknown;
  description?: unknown;
  type: string;
  required: boolean;
  multiple: boolean;
  default?: unknown;
  options?: unknown;
}

/** An automation rule (robot) an app registered with bizproc.robot.add. */
export interface Robot {
  clientId: string;
  code: string;
  handler: string;
  authUserId: number | null;
  useSubscription: boolean;
  name: unknown;
  description: unknown;
  properties: Record<string, RobotProperty>;
  returnProperties: Record<string, RobotProperty>;
  usePlacement: boolean;
  /** FILTER as given: `{INCLUDE?: rule[], EXCLUDE?: rule[]}`, a rule an edition (`b24`, `box`) or a document type prefix */
  filter: unknown;
  addedAt: number;
}

export type RobotRunState = 'running' | 'completed' | 'timed_out' | 'stopped';

/** One run of a robot on a CRM item: the handler POST it made and what bizproc.event.send returned. */
export interface RobotRun {
  id: number;
  memberId: string;
  clientId: string;
  code: string;
  /** ['crm', 'CCrmDocumentDeal', 'DEAL_15'] */
  documentId: [string, string, string];
  documentType: [string, string, string];
  eventToken: string;
  properties: Record<string, unknown>;
  state: RobotRunState;
  startedAt: number;
  /** the handler POST's HTTP status (0 = unreachable), once it answered */
  deliveryStatus: number | null;
  returnValues: Record<string, unknown> | null;
  logMessage: string | null;
  /** every bizproc.event.send with this token, refused ones included */
  sends: { at: number; accepted: boolean; returnValues: Record<string, unknown> }[];
  completedAt: number | null;
}

/** A placement.bind of an app. */
export interface PlacementBinding {
  id: number;
  clientId: string;
  placement: string;
  handler: string;
  title: string;
  description: string;
  groupName: string;
  langAll: Record<string, unknown>;
  options: Record<string, unknown>;
  boundBy: number;
}

/** An im.notify.* notification as the recipient sees it. */
export interface Notification {
  id: number;
  /** the recipient */
  userId: number;
  kind: 'system' | 'personal';
  /** null for system notifications (from the app), the caller for personal ones */
  fromUserId: number | null;
  clientId: string | null;
  message: string;
  messageOut: string | null;
  tag: string | null;
  subTag: string | null;
  attach: unknown;
  at: number;
}

export interface Portal {
  memberId: string;
  name: string;
  plan: PlanName;
  domain: string;
  port: number;
  clientEndpoint: string;
  lang: string;
  users: Map<number, User>;
  nextUserId: number;
  crmItems: Map<string, CrmItem>;
  /** per entity type: smart processes number their items per type, as Bitrix24 keeps one table each */
  nextCrmId: Record<CrmEntityTypeId, number>;
  crmTypes: CrmType[];
  activities: Map<number, ConfigurableActivity>;
  nextActivityId: number;
  badges: Map<string, Badge>;
  activityTypes: Map<string, ActivityType>;
  webhooks: Map<string, Webhook>;
  /** keyed `${clientId}|${code}` */
  robots: Map<string, Robot>;
  robotRuns: Map<number, RobotRun>;
  nextRobotRunId: number;
  placements: PlacementBinding[];
  nextPlacementId: number;
  notifications: Notification[];
  nextNotificationId: number;
  limits: PortalLimits;
  bucket: LeakyBucketState;
  operating: Map<string, OperatingState>;
}

export interface AppRecord {
  /** the portal-local numeric id app.info shows as ID */
  id: number;
  clientId: string;
  clientSecret: string;
  installUrl: string;
  appUrl: string;
  /** Market "installation event handler URL": gets ONAPPINSTALL like an event.bind'ed handler */
  installEventUrl: string | null;
  scope: string;
  withUi: boolean;
  status: AppStatus;
  version: number;
  name: string;
}

export interface Installation {
  memberId: string;
  clientId: string;
  installed: boolean;
  applicationToken: string;
  installedBy: number;
  installedAt: number;
}

export interface EventBinding {
  id: number;
  memberId: string;
  clientId: string;
  event: string;
  handler: string;
  authType: number;
  offline: boolean;
  connector: string;
  boundBy: number;
}

export interface AccessTokenRecord {
  token: string;
  memberId: string;
  clientId: string;
  userId: number;
  expiresAtMs: number;
  revoked: boolean;
}

export interface RefreshTokenRecord {
  token: string;
  memberId: string;
  clientId: string;
  userId: number;
  used: boolean;
  revoked: boolean;
  /** when it stops being accepted (emulator clock, ms) */
  expiresAtMs: number;
  /** the access token issued together with it */
  accessToken: string;
}

export interface AuthCodeRecord {
  code: string;
  memberId: string;
  clientId: string;
  userId: number;
  expiresAtMs: number;
  used: boolean;
}

export interface LockRecord {
  id: number;
  memberId: string;
  activityId: number;
  kind: LockKind;
  actionId: string;
  /** footer button key for `disable` locks */
  button: string | null;
  userId: number;
  lockedAt: number;
  releasedAt?: number;
  durationMs?: number;
  releasedBy?: 'update' | 'delete' | 'reset';
}

export interface CallLogEntry {
  seq: number;
  at: number;
  kind: 'rest' | 'oauth';
  host: string;
  memberId: string | null;
  clientId: string | null;
  userId: number | null;
  authType: 'oauth' | 'webhook' | 'none';
  method: string;
  /** request parameters with auth, tokens and secrets removed */
  params: Record<string, unknown>;
  status: number;
  error: string | null;
  durationMs: number;
  /** seq of the batch call this sub-call ran in */
  parentSeq: number | null;
}

export interface DeliveryLogEntry {
  seq: number;
  at: number;
  memberId: string;
  clientId: string;
  event: string;
  handlerId: number;
  url: string;
  /** the raw form-encoded body as sent */
  body: string;
  /** the same body parsed back (bracket notation) */
  fields: Record<string, unknown>;
  attempt: number;
  /** HTTP status; 0 = network error or timeout */
  status: number;
  error: string | null;
  durationMs: number;
}

export type FailureKind = '503' | '500' | 'timeout' | 'network' | 'error' | 'delay';

/** A Bitrix24 error envelope an injected failure answers with (`kind: 'error'`). */
export interface InjectedError {
  code: string;
  description: string;
  status: number;
}

export interface FailureRule {
  id: number;
  memberId: string | null;
  /** lower-case REST method, or `oauth.token` for the token endpoint, or `*` */
  method: string;
  /** calls it still applies to; null = every call until cleared */
  remaining: number | null;
  kind: FailureKind;
  /** 'after': the method runs, then the answer is lost (or delayed) */
  phase: 'before' | 'after';
  /** the answer of `kind: 'error'` */
  error: InjectedError | null;
  /** waited before the failure (or, for `kind: 'delay'`, before the normal answer) */
  delayMs: number;
  /** only calls whose params carry this dotted path (`fields.responsibleId`: the portal refuses that value); null = all */
  whenParam: string | null;
}

/** Deliveries of an event to hold back instead of sending (late delivery through Bitrix24's queue). */
export interface HoldRule {
  id: number;
  memberId: string | null;
  event: string;
  /** deliveries it still holds; null = every one until cleared */
  remaining: number | null;
}

/** An event POST held back by a HoldRule, sent on request with the `ts` it was built with. */
export interface HeldDelivery {
  id: number;
  memberId: string;
  clientId: string;
  event: string;
  handlerId: number;
  url: string;
  /** the payload as built when the event fired (its `ts` included) */
  payload: Record<string, unknown>;
  heldAt: number;
}

export interface FrameSession {
  sid: string;
  memberId: string;
  clientId: string;
  userId: number;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  placement: string;
  placementOptions: Record<string, unknown>;
  lang: string;
  install: boolean;
}
