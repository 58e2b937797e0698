/**
 * In-memory fakes of the processor's ports (repository, portal clients, lease) for unit tests: the same
 * contract as the SQL repository, the BullMQ-free lease, and a portal client whose answers a test scripts.
 */
import { Bitrix24Error, type Bitrix24ErrorKind, type PortalClient } from '@b24app/bitrix24';
import { type Approval, type ClickOutcome, type ClickRecord, finalStateOf } from '@b24app/db';
import type { ActivityLease } from '../src/timeline/activity-lease.js';
import type { ClickPortal, ClickRepository } from '../src/timeline/click.repository.js';

export const PORTAL: ClickPortal = {
  id: 'p1',
  memberId: 'm1',
  clientEndpoint: 'https://portal.example/rest/',
  serverEndpoint: 'https://oauth.example/rest/',
  status: 'ACTIVE',
  language: 'en',
  badgeCode: null,
  iconCode: null,
  logoCode: null,
  pingOffsets: [0, 60],
  rejectCommentRequired: false,
};

export function approval(over: Partial<Approval> = {}): Approval {
  const now = new Date('2026-01-01T00:00:00Z');
  return {
    id: 'a1',
    portalId: PORTAL.id,
    ownerTypeId: 2,
    ownerId: 10,
    activityId: 100,
    addClaimId: null,
    addClaimUntil: null,
    apiKeyId: null,
    callbackUrl: null,
    title: 'Buy a laptop',
    description: null,
    responsibleId: null,
    requesterId: null,
    requesterName: null,
    deadline: null,
    idempotencyKey: null,
    state: 'PENDING',
    decidedById: null,
    decidedByName: null,
    decidedAt: null,
    decisionComment: null,
    lastError: null,
    createRequestedAt: null,
    addAttempts: 0,
    createFailedAt: null,
    createError: null,
    createErrorKind: null,
    createdAt: now,
    updatedAt: now,
    ...over,
  };
}

export function click(over: Partial<ClickRecord> = {}): ClickRecord {
  return {
    id: 'e1',
    portalId: PORTAL.id,
    dedupeKey: 'k1',
    activityId: 100,
    actionId: 'approve',
    entityTypeId: 2,
    entityId: 10,
    userId: 7,
    params: {},
    eventTs: null,
    source: 'EVENT',
    state: 'ENQUEUED',
    attempts: 0,
    outcome: null,
    error: null,
    receivedAt: new Date('2026-01-01T00:00:01Z'),
    enqueuedAt: null,
    processingStartedAt: null,
    updatedActivityAt: null,
    finishedAt: null,
    jobId: null,
    userAuthEnc: null,
    userAuthKeyId: null,
    ...over,
  };
}

export function fakeRepo(init: { clicks: ClickRecord[]; approvals: Approval[]; portal?: ClickPortal }) {
  const clicks = new Map(init.clicks.map((c) => [c.id, { ...c }]));
  const approvals = new Map(init.approvals.map((a) => [a.id, { ...a }]));
  const portal = { ...(init.portal ?? PORTAL) };
  const repo: ClickRepository & { portal: ClickPortal } = {
    portal,
    async loadClick(id) {
      const event = clicks.get(id);
      return event ? { event: { ...event }, portal: { ...portal } } : null;
    },
    async pendingOnActivity(portalId, activityId, upTo) {
      return [...clicks.values()]
        .filter(
          (c) =>
            c.portalId === portalId &&
            c.activityId === activityId &&
            !['DONE', 'FAILED'].includes(c.state) &&
            c.receivedAt <= upTo,
        )
        .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime())
        .map((c) => ({ ...c }));
    },
    async claim(id) {
      const c = must(clicks.get(id));
      c.state = 'PROCESSING';
      c.attempts++;
    },
    async yieldToRateLimit(id, note) {
      const c = must(clicks.get(id));
      c.attempts = Math.max(0, c.attempts - 1);
      c.error = note;
    },
    async note(id, error) {
      must(clicks.get(id)).error = error;
    },
    async applyDecision(a) {
      const row = must(approvals.get(a.approvalId));
      if (row.state !== 'PENDING') return null;
      Object.assign(row, {
        state: a.state,
        decidedById: a.userId,
        decidedByName: a.userName,
        decidedAt: new Date(),
        decisionComment: a.comment,
        lastError: null,
      });
      must(clicks.get(a.eventId)).outcome = 'applied';
      return { ...row };
    },
    async outcomeOf(id) {
      return clicks.get(id)?.outcome ?? null;
    },
    async finish(a) {
      const c = clicks.get(a.eventId);
      if (!c) return null;
      Object.assign(c, { state: finalStateOf(a.outcome), outcome: a.outcome, error: a.error, finishedAt: new Date() });
      if (a.updated) c.updatedActivityAt = new Date();
      return c.receivedAt;
    },
    async approvalFor(portalId, activityId) {
      const a = [...approvals.values()].find((x) => x.portalId === portalId && x.activityId === activityId);
      return a ? { ...a } : null;
    },
    async approvalById(id) {
      return { ...must(approvals.get(id)) };
    },
    async setLastError(id, error) {
      const a = must(approvals.get(id));
      a.lastError = error;
      return { ...a };
    },
    async createPending(portalId, approvalId) {
      const a = approvals.get(approvalId);
      return a !== undefined && a.portalId === portalId && a.activityId === null;
    },
    async portalStatus() {
      return portal.status;
    },
  };
  return { repo, clicks, approvals };
}

export const b24Error = (kind: Bitrix24ErrorKind, extra: { b24Code?: string; retryAfterMs?: number } = {}) =>
  new Bitrix24Error({ kind, method: 'crm.activity.configurable.update', message: `${kind} for the test`, ...extra });

type Answer = unknown | Error;

/** A portal client that answers each method from a script (an Error is thrown), recording every call. */
export function scriptedClient(script: Record<string, Answer[] | ((params: Record<string, unknown>) => Answer)>) {
  const calls: { method: string; params: Record<string, unknown> }[] = [];
  const client: PortalClient = {
    memberId: PORTAL.memberId,
    async call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      calls.push({ method, params });
      const s = script[method];
      const answer = typeof s === 'function' ? s(params) : Array.isArray(s) ? (s.length > 1 ? s.shift() : s[0]) : true;
      if (answer instanceof Error) throw answer;
      return answer as T;
    },
    async batch() {
      throw new Error('batch is not used by the click processor');
    },
  };
  return { client, calls, clients: { get: async () => client } };
}

export const directLease = (busy = false): ActivityLease => ({
  async run(_key, fn) {
    return busy ? { busy: true } : { busy: false, value: await fn() };
  },
});

export const outcomeOf = (c: { outcome: ClickOutcome | null }) => c.outcome;

function must<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('fake repository: no such row');
  return v;
}
