/**
 * What the app page can read and do, always for one session: every query is scoped to the session's portal,
 * every call Bitrix24 guards goes out with the session's user token (so Bitrix24 enforces that user's rights),
 * admin-only operations check the session's admin flag here, on the server.
 */
import { approvalActivityPayload, creationView, deliveriesView, ORIGINATOR_ID } from '@b24app/approvals';
import { AppError } from '@b24app/core';
import type { Db, Prisma } from '@b24app/db';
import { isBitrix24Error } from '@b24app/bitrix24';
import { type Badge, validateBadge } from '@b24app/layout';
import type { ApprovalService } from '../approvals/approval.service.js';
import type { DecisionInput, RequestApprovalInput } from './app-api.schemas.js';
import type { AppSession } from './app-session.js';
import type { RecordPageDecision } from './page-decision.js';
import type { ReplayFailedClick } from './replay-click.js';
import type { UserRestCall } from './user-rest.js';

export type SessionContext = AppSession & { userAccessToken: string; clientEndpoint: string };

const PAGE_SIZE = 20;
export const DEFAULT_BADGE: Badge = {
  code: 'approval_pending',
  title: { en: 'Approval', ru: 'Согласование' },
  value: { en: 'Waiting for approval', ru: 'Ждёт согласования' },
  type: 'warning',
};

export interface AppApiService {
  listBadges(s: SessionContext): Promise<Badge[]>;
  addBadge(s: SessionContext, input: unknown): Promise<Badge>;
  deleteBadge(s: SessionContext, code: string): Promise<void>;
  getSettings(s: SessionContext): Promise<SettingsView>;
  saveSettings(s: SessionContext, input: SettingsInput): Promise<SettingsView>;
  createDefaultBadge(s: SessionContext): Promise<SettingsView>;
  catalog(s: SessionContext): Promise<{ icons: CatalogItem[]; logos: CatalogItem[] }>;
  listApprovals(s: SessionContext, q: { state: string; page: number; q?: string | undefined }): Promise<unknown>;
  approvalDetails(s: SessionContext, by: { id?: string; activityId?: number }): Promise<unknown>;
  listActivities(s: SessionContext): Promise<unknown[]>;
  deleteActivity(s: SessionContext, activityId: number): Promise<void>;
  operations(s: SessionContext): Promise<unknown>;
  replayClick(s: SessionContext, eventId: string): Promise<void>;
  /** The portal's users for the approver picker, asked with the user's own token (user.search / user.get). */
  searchUsers(s: SessionContext, q: string | undefined): Promise<PortalUser[]>;
  /** "Request approval" on a CRM item, the session's user as the requester. */
  requestApproval(
    s: SessionContext,
    input: RequestApprovalInput,
  ): Promise<{ id: string; activityId: number | null; state: string }>;
  /** A decision from the details, applied by the worker like a click (page-decision.ts). */
  decide(s: SessionContext, approvalId: string, input: DecisionInput): Promise<{ eventId: string }>;
}

export interface PortalUser {
  id: number;
  name: string;
  position: string | null;
}

export interface SettingsInput {
  badgeCode: string | null;
  language: 'en' | 'ru';
  iconCode?: string | null | undefined;
  logoCode?: string | null | undefined;
  pingOffsets?: number[] | undefined;
  rejectCommentRequired?: boolean | undefined;
  notifyApprover?: boolean | undefined;
  notifyRequester?: boolean | undefined;
}
export interface SettingsView {
  badgeCode: string | null;
  language: string;
  iconCode: string | null;
  logoCode: string | null;
  /** Minutes before an approval's deadline at which Bitrix24 reminds its approver. */
  pingOffsets: number[];
  /** The card's Reject opens the details' reject form, and a reject needs a comment. */
  rejectCommentRequired: boolean;
  /**
   * im.notify.system.add to the approver when an approval waits for them, to the requester when it is decided.
   * Read when the notification is owed (the activity exists; the decision), so a change never resends.
   */
  notifyApprover: boolean;
  notifyRequester: boolean;
  updatedAt: string | null;
  updatedBy: number | null;
}
export interface CatalogItem {
  code: string;
  fileUri: string;
  isSystem: boolean;
}

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

/** A click as the page shows it: its path through the lifecycle with every step's time. */
const clickView = (c: Prisma.TimelineEventGetPayload<object>) => ({
  id: c.id,
  activityId: c.activityId,
  actionId: c.actionId,
  userId: c.userId,
  state: c.state.toLowerCase(),
  outcome: c.outcome,
  error: c.error,
  attempts: c.attempts,
  receivedAt: iso(c.receivedAt),
  enqueuedAt: iso(c.enqueuedAt),
  processingStartedAt: iso(c.processingStartedAt),
  updatedActivityAt: iso(c.updatedActivityAt),
  finishedAt: iso(c.finishedAt),
});

/** Field-level messages from packages/layout, in the API's one validation shape. */
function badgeIssues(input: unknown): Badge {
  const r = validateBadge(input);
  if (r.ok) return r.value;
  throw new AppError('VALIDATION_FAILED', 'The badge is not valid', {
    details: r.issues.map((i) => ({ path: i.path, message: i.message, code: i.code })),
  });
}

export function requireAdmin(s: SessionContext): void {
  if (!s.admin) throw new AppError('FORBIDDEN', 'Only a Bitrix24 administrator may do this');
}

interface UserRow {
  ID?: string | number;
  NAME?: string;
  LAST_NAME?: string;
  WORK_POSITION?: string;
}

const userOf = (u: UserRow): PortalUser => {
  const id = Number(u.ID);
  return {
    id,
    name: [u.NAME, u.LAST_NAME].filter(Boolean).join(' ').trim() || `#${id}`,
    position: u.WORK_POSITION || null,
  };
};

export function createAppApiService(deps: {
  db: Db;
  userRest: UserRestCall;
  replay: ReplayFailedClick;
  approvals: Pick<ApprovalService, 'create'>;
  decisions: RecordPageDecision;
}): AppApiService {
  const { db } = deps;
  /** A call with the session user's token; a token Bitrix24 no longer takes means: reopen the page. */
  const asUser = async <T>(s: SessionContext, method: string, params?: Record<string, unknown>): Promise<T> => {
    try {
      return await deps.userRest<T>(s.clientEndpoint, s.userAccessToken, method, params);
    } catch (e) {
      if (isBitrix24Error(e) && e.kind === 'TOKEN_REVOKED') {
        throw new AppError('UNAUTHORIZED', 'Bitrix24 no longer accepts your sign-in; reopen the app');
      }
      throw e;
    }
  };

  const settingsView = (row: Prisma.PortalSettingsGetPayload<object> | null): SettingsView => ({
    badgeCode: row?.badgeCode ?? null,
    language: row?.language ?? 'en',
    iconCode: row?.iconCode ?? null,
    logoCode: row?.logoCode ?? null,
    pingOffsets: row?.pingOffsets ?? [],
    rejectCommentRequired: row?.rejectCommentRequired ?? false,
    notifyApprover: row?.notifyApprover ?? true,
    notifyRequester: row?.notifyRequester ?? true,
    updatedAt: iso(row?.updatedAt),
    updatedBy: row?.updatedBy ?? null,
  });

  const saveSettings = async (s: SessionContext, input: SettingsInput) => {
    const data = {
      badgeCode: input.badgeCode,
      language: input.language,
      ...(input.iconCode !== undefined ? { iconCode: input.iconCode } : {}),
      ...(input.logoCode !== undefined ? { logoCode: input.logoCode } : {}),
      ...(input.pingOffsets !== undefined
        ? { pingOffsets: [...new Set(input.pingOffsets)].sort((a, b) => a - b) }
        : {}),
      ...(input.rejectCommentRequired !== undefined ? { rejectCommentRequired: input.rejectCommentRequired } : {}),
      ...(input.notifyApprover !== undefined ? { notifyApprover: input.notifyApprover } : {}),
      ...(input.notifyRequester !== undefined ? { notifyRequester: input.notifyRequester } : {}),
      updatedBy: s.userId,
    };
    const row = await db.portalSettings.upsert({
      where: { portalId: s.portalId },
      create: { portalId: s.portalId, ...data },
      update: data,
    });
    return settingsView(row);
  };

  const catalog = async (s: SessionContext) => {
    const [icons, logos] = await Promise.all([
      asUser<{ icons?: CatalogItem[] }>(s, 'crm.timeline.icon.list'),
      asUser<{ logos?: CatalogItem[] }>(s, 'crm.timeline.logo.list'),
    ]);
    return { icons: icons?.icons ?? [], logos: logos?.logos ?? [] };
  };

  const getSettings = async (s: SessionContext) =>
    settingsView(await db.portalSettings.findUnique({ where: { portalId: s.portalId } }));

  const approvalRow = (a: Prisma.ApprovalGetPayload<object>, settings: SettingsView) => ({
    id: a.id,
    title: a.title,
    description: a.description,
    state: a.state.toLowerCase(),
    ownerTypeId: a.ownerTypeId,
    ownerId: a.ownerId,
    activityId: a.activityId,
    approver: a.responsibleId ? { id: a.responsibleId } : null,
    requester: a.requesterId ? { id: a.requesterId, name: a.requesterName } : null,
    deadline: iso(a.deadline),
    createdAt: iso(a.createdAt),
    decidedAt: iso(a.decidedAt),
    decidedBy: a.decidedById ? { id: a.decidedById, name: a.decidedByName } : null,
    comment: a.decisionComment,
    lastError: a.lastError,
    // The card as the portal shows it now: the same pure function the worker updates it with.
    card: approvalActivityPayload(a, {
      lang: settings.language,
      error: a.lastError,
      badgeCode: settings.badgeCode,
      iconCode: settings.iconCode,
      logoCode: settings.logoCode,
      pingOffsets: settings.pingOffsets,
      rejectCommentRequired: settings.rejectCommentRequired,
    }).layout,
  });

  return {
    async listBadges(s) {
      const r = await asUser<{ badges?: Badge[] }>(s, 'crm.activity.badge.list');
      return r?.badges ?? [];
    },
    async addBadge(s, input) {
      const badge = badgeIssues(input);
      const r = await asUser<{ badge?: Badge }>(s, 'crm.activity.badge.add', { ...badge });
      return r?.badge ?? badge;
    },
    async deleteBadge(s, code) {
      await asUser(s, 'crm.activity.badge.delete', { code });
    },
    getSettings,
    async saveSettings(s, input) {
      requireAdmin(s);
      if (input.badgeCode) {
        try {
          await asUser(s, 'crm.activity.badge.get', { code: input.badgeCode });
        } catch (e) {
          if (isBitrix24Error(e) && e.kind === 'NOT_FOUND') {
            throw new AppError('VALIDATION_FAILED', 'The settings are not valid', {
              details: [{ path: 'badgeCode', message: 'no badge with this code on the portal', code: 'NOT_FOUND' }],
            });
          }
          throw e;
        }
      }
      if (input.iconCode || input.logoCode) {
        // Only what the portal's catalogs offer: a code Bitrix24 does not know would fail the activity's add.
        const { icons, logos } = await catalog(s);
        const issues = [
          ...(input.iconCode && !icons.some((i) => i.code === input.iconCode)
            ? [{ path: 'iconCode', message: 'not an icon of crm.timeline.icon.list', code: 'WRONG_FIELD_VALUE' }]
            : []),
          ...(input.logoCode && !logos.some((i) => i.code === input.logoCode)
            ? [{ path: 'logoCode', message: 'not a logo of crm.timeline.logo.list', code: 'WRONG_FIELD_VALUE' }]
            : []),
        ];
        if (issues.length) throw new AppError('VALIDATION_FAILED', 'The settings are not valid', { details: issues });
      }
      return saveSettings(s, input);
    },
    async createDefaultBadge(s) {
      requireAdmin(s);
      await asUser(s, 'crm.activity.badge.add', { ...DEFAULT_BADGE });
      const current = await getSettings(s);
      return saveSettings(s, {
        badgeCode: DEFAULT_BADGE.code,
        language: current.language === 'ru' ? 'ru' : 'en',
      });
    },
    catalog,
    async listApprovals(s, q) {
      const where: Prisma.ApprovalWhereInput = {
        portalId: s.portalId,
        ...(q.state !== 'all' ? { state: q.state.toUpperCase() as 'PENDING' } : {}),
        ...(q.q ? { title: { contains: q.q, mode: 'insensitive' } } : {}),
      };
      const [total, rows, settings] = await Promise.all([
        db.approval.count({ where }),
        db.approval.findMany({
          where,
          orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
          skip: (q.page - 1) * PAGE_SIZE,
          take: PAGE_SIZE,
        }),
        getSettings(s),
      ]);
      return { total, page: q.page, pageSize: PAGE_SIZE, items: rows.map((a) => approvalRow(a, settings)) };
    },
    async approvalDetails(s, by) {
      const a = await db.approval.findFirst({
        where: { portalId: s.portalId, ...(by.id ? { id: by.id } : { activityId: by.activityId ?? -1 }) },
        include: { deliveries: { orderBy: [{ createdAt: 'asc' }, { kind: 'asc' }] } },
      });
      if (!a) throw new AppError('NOT_FOUND', 'No such approval on this portal');
      const clicks = a.activityId
        ? await db.timelineEvent.findMany({
            where: { portalId: s.portalId, activityId: a.activityId },
            orderBy: { receivedAt: 'asc' },
            take: 200,
          })
        : [];
      const settings = await getSettings(s);
      const row = approvalRow(a, settings);
      // The approver's name, asked with the viewer's token (best effort: the id is shown without it).
      const approver = a.responsibleId
        ? await asUser<UserRow[]>(s, 'user.get', { ID: a.responsibleId })
            .then((rows) => (rows?.[0] ? { id: a.responsibleId, name: userOf(rows[0]).name } : row.approver))
            .catch(() => row.approver)
        : null;
      return {
        ...row,
        approver,
        rejectCommentRequired: settings.rejectCommentRequired,
        creation: creationView(a),
        deliveries: deliveriesView(a.deliveries),
        clicks: clicks.map(clickView),
      };
    },
    async listActivities(s) {
      const rows = await asUser<Record<string, unknown>[]>(s, 'crm.activity.list', {
        filter: { PROVIDER_ID: 'CONFIGURABLE_REST_APP', ORIGINATOR_ID },
        select: ['ID', 'SUBJECT', 'OWNER_TYPE_ID', 'OWNER_ID', 'CREATED', 'COMPLETED', 'ORIGIN_ID', 'RESPONSIBLE_ID'],
        order: { ID: 'DESC' },
      });
      return (rows ?? []).map((r) => ({
        id: Number(r.ID),
        subject: r.SUBJECT ?? '',
        ownerTypeId: Number(r.OWNER_TYPE_ID),
        ownerId: Number(r.OWNER_ID),
        created: r.CREATED ?? null,
        completed: r.COMPLETED === 'Y' || r.COMPLETED === true,
        approvalId: typeof r.ORIGIN_ID === 'string' ? r.ORIGIN_ID : null,
        responsibleId: r.RESPONSIBLE_ID ? Number(r.RESPONSIBLE_ID) : null,
      }));
    },
    async deleteActivity(s, activityId) {
      await asUser(s, 'crm.activity.delete', { id: activityId });
    },
    async operations(s) {
      requireAdmin(s);
      const portal = await db.portal.findUniqueOrThrow({ where: { id: s.portalId } });
      const [locked, failed, recent] = await Promise.all([
        db.timelineEvent.findMany({
          where: { portalId: s.portalId, state: { in: ['RECEIVED', 'ENQUEUED', 'PROCESSING'] } },
          orderBy: { receivedAt: 'asc' },
          take: 50,
        }),
        db.timelineEvent.findMany({
          where: { portalId: s.portalId, state: 'FAILED' },
          orderBy: { receivedAt: 'desc' },
          take: 50,
        }),
        db.timelineEvent.findMany({ where: { portalId: s.portalId }, orderBy: { receivedAt: 'desc' }, take: 20 }),
      ]);
      return {
        portal: {
          domain: portal.domain,
          status: portal.status,
          statusReason: portal.statusReason,
          installedAt: iso(portal.installedAt),
          tokenExpiresAt: iso(portal.accessExpiresAt),
          // The token keep-alive renews it before it ages out; a failed renewal is in statusReason.
          refreshIssuedAt: iso(portal.refreshIssuedAt),
          tokenVersion: portal.tokenVersion,
          needsReinstall: portal.status === 'NEEDS_REINSTALL',
          eventsBoundAt: iso(portal.eventsBoundAt),
        },
        locked: locked.map(clickView),
        failed: failed.map(clickView),
        recent: recent.map(clickView),
      };
    },
    async replayClick(s, eventId) {
      requireAdmin(s);
      if (!(await deps.replay(s.portalId, eventId))) {
        throw new AppError('CONFLICT', 'This click is not a failed click of this portal (already replayed?)');
      }
    },
    async searchUsers(s, q) {
      const filter = { ACTIVE: true, USER_TYPE: 'employee' };
      const rows = q
        ? await asUser<UserRow[]>(s, 'user.search', { FILTER: { ...filter, FIND: q } })
        : await asUser<UserRow[]>(s, 'user.get', { FILTER: filter, sort: 'LAST_NAME', order: 'ASC' });
      return (rows ?? []).map(userOf).filter((u) => Number.isInteger(u.id) && u.id > 0);
    },
    async requestApproval(s, input) {
      const issues: { path: string; message: string; code: string }[] = [];
      // The item, as the requesting user may see it (Bitrix24 checks their rights), and an approver who exists.
      try {
        await asUser(s, 'crm.item.get', { entityTypeId: input.ownerTypeId, id: input.ownerId });
      } catch (e) {
        if (isBitrix24Error(e) && ['NOT_FOUND', 'ACCESS_DENIED', 'VALIDATION'].includes(e.kind)) {
          throw new AppError('NOT_FOUND', 'This CRM item is not there, or you may not open it');
        }
        throw e;
      }
      const approver = await asUser<UserRow[]>(s, 'user.get', { ID: input.responsibleId });
      if (!approver?.[0]) {
        issues.push({ path: 'responsibleId', message: 'No such user on the portal', code: 'NOT_FOUND' });
      }
      if (issues.length) throw new AppError('VALIDATION_FAILED', 'The request is not valid', { details: issues });
      const { approval, outcome } = await deps.approvals.create({
        memberId: s.memberId,
        ownerTypeId: input.ownerTypeId,
        ownerId: input.ownerId,
        title: input.title,
        ...(input.description ? { description: input.description } : {}),
        responsibleId: input.responsibleId,
        requester: { id: s.userId, name: s.userName },
        ...(input.deadline ? { deadline: input.deadline } : {}),
        idempotencyKey: `placement:${s.userId}:${input.requestId}`,
      });
      return {
        id: approval.id,
        activityId: approval.activityId,
        state: outcome === 'creating' ? 'creating' : approval.state.toLowerCase(),
      };
    },
    async decide(s, approvalId, input) {
      const { eventId } = await deps.decisions(s, approvalId, input);
      return { eventId };
    },
  };
}
