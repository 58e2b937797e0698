import type { InstallResult } from '../install/install-service.js';
import type { RegisterAppInput } from '../apps/app-registry.js';
import type { OAuthStats } from '../state/emulator-state.js';
import type {
  AppRecord,
  CallLogEntry,
  CrmType,
  DeliveryLogEntry,
  EmulatorSettings,
  FailureRule,
  Notification,
  PlacementBinding,
  Robot,
  RobotRun,
  HeldDelivery,
  HoldRule,
  LockRecord,
  PortalLimits,
  User,
} from '../state/model.js';
import type { FailureInput, HoldInput, RunRobotBody } from './control.schemas.js';
import type { ActivityView, PortalView } from './views.js';

// Typed client of the control API over HTTP (fetch). Works against an in-process emulator or a running one.

export class EmulatorClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'EmulatorClientError';
  }
}

export interface CreatedPortal {
  memberId: string;
  domain: string;
  clientEndpoint: string;
  adminUserId: number;
  name: string;
  plan: string;
}

export interface IssuedTokens {
  access_token: string;
  refresh_token: string;
  expires: number;
  expires_in: number;
  scope: string;
  domain: string;
  server_endpoint: string;
  status: string;
  client_endpoint: string;
  member_id: string;
  user_id: number;
  application_token: string;
  client_id: string;
}

export class EmulatorClient {
  private readonly base: string;

  constructor(baseUrl: string) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  /** The emulator's main URL (OAuth server, control API, UI). */
  get baseUrl(): string {
    return this.base;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const data: unknown = text ? JSON.parse(text) : null;
    if (!res.ok) {
      const err = (data ?? {}) as { error?: string; message?: string };
      throw new EmulatorClientError(err.error ?? 'HTTP_ERROR', err.message ?? `HTTP ${res.status}`, res.status);
    }
    return data as T;
  }

  private query(q: Record<string, string | number | undefined> = {}): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
    const s = params.toString();
    return s ? `?${s}` : '';
  }

  createPortal(
    p: {
      memberId?: string;
      name?: string;
      plan?: 'standard' | 'enterprise';
      lang?: string;
      limits?: { burst?: number; drainPerSec?: number };
    } = {},
  ): Promise<CreatedPortal> {
    return this.request('POST', '/portals', p);
  }

  portals(): Promise<PortalView[]> {
    return this.request('GET', '/portals');
  }

  portal(memberId: string): Promise<PortalView> {
    return this.request('GET', `/portals/${memberId}`);
  }

  createUser(
    memberId: string,
    u: { name: string; admin?: boolean; email?: string; crmReadOnly?: boolean },
  ): Promise<User> {
    return this.request('POST', `/portals/${memberId}/users`, u);
  }

  createCrmItem(
    memberId: string,
    /** lead 1, deal 2, contact 3, company 4, or a smart process type (128–191, 1030+) */
    i: { entityTypeId: number; title: string },
  ): Promise<{ id: number; entityTypeId: number; title: string }> {
    return this.request('POST', `/portals/${memberId}/crm-items`, i);
  }

  /** A smart process (custom CRM type): entityTypeId 128, 130, … (crm.type.list, CRM_DYNAMIC_<id>_… placements). */
  createCrmType(memberId: string, t: { title: string }): Promise<CrmType> {
    return this.request('POST', `/portals/${memberId}/crm-types`, t);
  }

  /** An incoming webhook (`/rest/{user}/{code}/`): non-app auth, for testing app-context errors. */
  createWebhook(memberId: string, userId?: number): Promise<{ url: string; userId: number; code: string }> {
    return this.request('POST', `/portals/${memberId}/webhooks`, { userId });
  }

  registerApp(a: RegisterAppInput): Promise<AppRecord> {
    return this.request('POST', '/apps', a);
  }

  installApp(
    memberId: string,
    clientId: string,
    o: { userId?: number; finish?: boolean; framePost?: boolean } = {},
  ): Promise<InstallResult> {
    return this.request('POST', `/portals/${memberId}/apps/${encodeURIComponent(clientId)}/install`, o);
  }

  /** What BX24.installFinish() does: INSTALLED=Y, then ONAPPINSTALL. */
  finishInstall(memberId: string, clientId: string): Promise<void> {
    return this.request<unknown>(
      'POST',
      `/portals/${memberId}/apps/${encodeURIComponent(clientId)}/install-finish`,
      {},
    ).then(() => undefined);
  }

  uninstallApp(memberId: string, clientId: string, o: { clean?: boolean } = {}): Promise<void> {
    return this.request<unknown>('POST', `/portals/${memberId}/apps/${encodeURIComponent(clientId)}/uninstall`, o).then(
      () => undefined,
    );
  }

  /** Like a user clicking the restEvent action with that id: sets the lock, delivers the event, waits for it. */
  click(
    memberId: string,
    a: { activityId: number; actionId: string; userId?: number; location?: string; key?: string; force?: boolean },
  ): Promise<{ delivered: number; statuses: number[]; lockId: number | null }> {
    return this.request('POST', `/portals/${memberId}/click`, a);
  }

  /** The robots (bizproc.robot.add) the portal's apps registered. */
  robots(memberId: string): Promise<Robot[]> {
    return this.request('GET', `/portals/${memberId}/robots`);
  }

  /**
   * Runs an installed robot on a CRM item as the automation does: POSTs its handler (event_token, document_id[],
   * properties[…], auth[…]) and answers the run and that delivery. A subscribed run stays `running` until the app's
   * bizproc.event.send (see robotRun) or endRobotRun.
   */
  runRobot(memberId: string, r: RunRobotBody): Promise<{ run: RobotRun; delivery: DeliveryLogEntry }> {
    return this.request('POST', `/portals/${memberId}/robots/run`, r);
  }

  robotRuns(memberId: string): Promise<RobotRun[]> {
    return this.request('GET', `/portals/${memberId}/robot-runs`);
  }

  /** One run: its state, the returnValues bizproc.event.send gave, and every send (refused ones too). */
  robotRun(memberId: string, runId: number): Promise<RobotRun> {
    return this.request('GET', `/portals/${memberId}/robot-runs/${runId}`);
  }

  /** The automation stops waiting (`timed_out`) or the run is stopped: bizproc.event.send is refused from then on. */
  endRobotRun(memberId: string, runId: number, as: 'timed_out' | 'stopped'): Promise<RobotRun> {
    return this.request('POST', `/portals/${memberId}/robot-runs/${runId}/end`, { as });
  }

  placements(memberId: string): Promise<PlacementBinding[]> {
    return this.request('GET', `/portals/${memberId}/placements`);
  }

  /** im.notify.* notifications, of one recipient or all. */
  notifications(memberId: string, userId?: number): Promise<Notification[]> {
    return this.request('GET', `/portals/${memberId}/notifications${this.query({ userId })}`);
  }

  expireTokens(memberId: string, clientId?: string): Promise<void> {
    return this.request<unknown>('POST', `/portals/${memberId}/tokens/expire`, { clientId }).then(() => undefined);
  }

  revokeTokens(memberId: string, clientId?: string): Promise<void> {
    return this.request<unknown>('POST', `/portals/${memberId}/tokens/revoke`, { clientId }).then(() => undefined);
  }

  issueTokens(memberId: string, clientId: string, userId?: number): Promise<IssuedTokens> {
    return this.request('POST', `/portals/${memberId}/tokens/issue`, { clientId, userId });
  }

  setLimits(memberId: string, l: Partial<PortalLimits>): Promise<void> {
    return this.request<unknown>('PUT', `/portals/${memberId}/limits`, l).then(() => undefined);
  }

  /**
   * Makes calls of a method fail or answer late: the next `count` calls, or every call (`persistent: true`) until
   * cleared. `kind: 'error'` answers `error` ({code, description?, status? = 400}); `kind: 'delay'` answers normally
   * after `delayMs`; `delayMs` also delays the other kinds. Method `oauth.token` is the token endpoint.
   */
  injectFailures(f: FailureInput): Promise<FailureRule> {
    return this.request('POST', '/failures', f);
  }

  /** The rules still active (with the calls they still apply to; `remaining: null` = persistent). */
  failures(): Promise<FailureRule[]> {
    return this.request('GET', '/failures');
  }

  /** Drops one rule (the id injectFailures answered) or all of them. */
  clearFailures(id?: number): Promise<void> {
    return this.request<unknown>('DELETE', id === undefined ? '/failures' : `/failures/${id}`).then(() => undefined);
  }

  /** Holds the next `count` deliveries of an event (or all, `persistent: true`) instead of sending them. */
  holdEvents(h: HoldInput): Promise<HoldRule> {
    return this.request('POST', '/holds', h);
  }

  /** Drops one hold rule or all of them; deliveries already held stay held until delivered. */
  clearHolds(id?: number): Promise<void> {
    return this.request<unknown>('DELETE', id === undefined ? '/holds' : `/holds/${id}`).then(() => undefined);
  }

  /** Deliveries held back so far (payload as built when the event fired, `ts` included). */
  heldDeliveries(q: { memberId?: string; event?: string } = {}): Promise<HeldDelivery[]> {
    return this.request('GET', `/held${this.query(q)}`);
  }

  /** Sends one held delivery now and waits for it; `ts` (unix seconds) replaces the payload's `ts`. */
  deliverHeld(id: number, o: { ts?: number } = {}): Promise<DeliveryLogEntry> {
    return this.request('POST', `/held/${id}/deliver`, o);
  }

  /** Sends every held delivery that matches, oldest first, and waits for them. */
  deliverAllHeld(q: { memberId?: string; event?: string; ts?: number } = {}): Promise<DeliveryLogEntry[]> {
    return this.request('POST', '/held/deliver', q);
  }

  calls(q: { memberId?: string; method?: string; host?: string; since?: number } = {}): Promise<CallLogEntry[]> {
    return this.request('GET', `/calls${this.query(q)}`);
  }

  deliveries(q: { memberId?: string; event?: string; since?: number } = {}): Promise<DeliveryLogEntry[]> {
    return this.request('GET', `/deliveries${this.query(q)}`);
  }

  /** Polls until at least `count` deliveries match (event delivery is asynchronous). */
  async waitForDeliveries(
    q: { memberId?: string; event?: string; since?: number; count?: number },
    timeoutMs = 10_000,
  ): Promise<DeliveryLogEntry[]> {
    const { count = 1, ...filter } = q;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await this.deliveries(filter);
      if (found.length >= count) return found;
      if (Date.now() > deadline) {
        throw new EmulatorClientError('TIMEOUT', `expected ${count} deliveries, saw ${found.length}`, 0);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  activity(memberId: string, activityId: number): Promise<ActivityView> {
    return this.request('GET', `/portals/${memberId}/activities/${activityId}`);
  }

  activities(memberId: string): Promise<ActivityView[]> {
    return this.request('GET', `/portals/${memberId}/activities`);
  }

  locks(q: { memberId?: string } = {}): Promise<LockRecord[]> {
    return this.request('GET', `/locks${this.query(q)}`);
  }

  oauthStats(): Promise<OAuthStats> {
    return this.request('GET', '/oauth-stats');
  }

  settings(): Promise<EmulatorSettings> {
    return this.request('GET', '/settings');
  }

  setSettings(s: Partial<EmulatorSettings>): Promise<EmulatorSettings> {
    return this.request('PATCH', '/settings', s);
  }

  /** The emulator's time (ms) and how far the control API has moved it ahead of its base clock. */
  clock(): Promise<{ now: number; offsetMs: number }> {
    return this.request('GET', '/clock');
  }

  /** Moves the emulator's clock forward: tokens expire, limits drain, locks age, without waiting. */
  advanceClock(ms: number): Promise<{ now: number; offsetMs: number }> {
    return this.request('POST', '/clock', { advanceMs: ms });
  }

  /** Resolves once no event delivery is in flight. */
  idle(): Promise<{ idle: boolean }> {
    return this.request('POST', '/idle', {});
  }

  reset(): Promise<void> {
    return this.request<unknown>('POST', '/reset', {}).then(() => undefined);
  }
}
