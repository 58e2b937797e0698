import { setTimeout as sleepMs } from 'node:timers/promises';
import type { Logger } from '@b24app/core';
import { type AjaxResult, ApiVersion, B24OAuth, type TypeHttp } from '@bitrix24/b24jssdk';
import { Bitrix24Error } from './bitrix24-errors.js';
import { refreshWithOAuthServer } from './oauth-refresh.js';
import { noPortalCallObserver, type PortalCallObserver, requestOutcomeOf } from './portal-call-observer.js';
import type { PortalRateLimiter } from './portal-rate-limiter.js';
import {
  batchIsIdempotent,
  DEFAULT_RETRY,
  decideRetry,
  isIdempotentMethod,
  type RetryOptions,
} from './retry-policy.js';
import { fromResultErrors, fromSdkError } from './sdk-error-mapping.js';
import { sdkRestrictionParams, toB24OAuthParams, toHandlerRefreshAuth } from './sdk-settings.js';
import type { PortalCredentials, TokenStore } from './token-store.js';

export interface CallOptions {
  /** Whether a blind retry is harmless. Default: not for `*.add` and other creating methods. */
  idempotent?: boolean;
  /** Longest wait for a slot of the portal's shared bucket before failing with RATE_LIMITED (and `retryAfterMs`). */
  maxWaitMs?: number;
}

export type BatchCommand = readonly [method: string, params?: Record<string, unknown>];

export interface BatchOptions extends CallOptions {
  /** Stop at the first failing command (Bitrix24 `halt`). Default false. */
  halt?: boolean;
}

export interface BatchOutcome {
  /** `result` of each command that succeeded, by key. */
  results: Record<string, unknown>;
  /** Each command that failed, by key, as a typed error attributed to that command's method. */
  errors: Record<string, Bitrix24Error>;
}

export interface PortalClient {
  readonly memberId: string;
  /** Calls a REST method and resolves with its `result`. Rejects with a Bitrix24Error only. */
  call<T = unknown>(method: string, params?: Record<string, unknown>, opts?: CallOptions): Promise<T>;
  /** One `batch` request (≤ 50 commands; counts as one request for the rate limit). */
  batch(commands: Record<string, BatchCommand>, opts?: BatchOptions): Promise<BatchOutcome>;
}

export interface PortalClientsDeps {
  store: TokenStore;
  limiter: PortalRateLimiter;
  clientId: string;
  clientSecret: string;
  logger: Logger;
  /** Bound of one OAuth refresh call (the SDK's own has none). Default 10 s. */
  oauthTimeoutMs?: number;
  /** Bound of one REST request. Default 30 s. */
  requestTimeoutMs?: number;
  /** Default `maxWaitMs` of calls. Default 5 s. */
  defaultMaxWaitMs?: number;
  /** Refresh this long before the stored expiry. Default 60 s. */
  expirySkewSec?: number;
  retry?: Partial<Omit<RetryOptions, 'idempotent'>>;
  /** For the OAuth refresh request (tests). */
  fetch?: typeof fetch;
  /** Metrics hook: every HTTP request's outcome and every refresh. */
  observer?: PortalCallObserver;
}

export interface PortalClients {
  /** The process's one client for this portal. Rejects with TOKEN_REVOKED when the portal has no usable tokens. */
  get(memberId: string): Promise<PortalClient>;
  /** Drops the cached client (after a reinstall or uninstall). */
  forget(memberId: string): void;
  close(): void;
}

interface CallContext {
  method: string;
  maxWaitMs: number;
  /** Its first HTTP request went out (a replay after a refresh uses the default budget). */
  sent?: boolean;
}

type AxiosInstance = TypeHttp['ajaxClient'];
type RequestConfig = Parameters<NonNullable<Parameters<AxiosInstance['interceptors']['request']['use']>[0]>>[0];

const nowSec = () => Math.floor(Date.now() / 1000);

/** The access token a request was sent with (the SDK puts it in the JSON body as `auth`). */
function tokenSentWith(config: { data?: unknown } | undefined): string | undefined {
  const data = config?.data;
  if (typeof data === 'string') {
    try {
      const parsed = JSON.parse(data) as { auth?: unknown };
      return typeof parsed.auth === 'string' ? parsed.auth : undefined;
    } catch {
      return undefined;
    }
  }
  if (data && typeof data === 'object' && typeof (data as { auth?: unknown }).auth === 'string') {
    return (data as { auth: string }).auth;
  }
  return undefined;
}

function methodOfUrl(url: string | undefined): string {
  const path = (url ?? '').split('?')[0] ?? '';
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || 'unknown';
}

/**
 * One portal, one process: a long-lived `B24OAuth` whose every HTTP request first takes a slot of the portal's
 * shared Redis bucket, whose refresh goes through the store's cross-process lock, and whose failures come out
 * as Bitrix24Error.
 */
class SdkPortalClient implements PortalClient {
  readonly memberId: string;
  private creds: PortalCredentials;
  private readonly b24: B24OAuth;
  /**
   * Wait budgets of calls in flight, per method, for the request interceptor (the SDK builds the HTTP
   * request, so a call cannot hand it options). Not AsyncLocalStorage: on Node 20 that turns on promise
   * hooks for the whole process, which cost the worker a seventh of its CPU (bench/click-latency).
   */
  private readonly waitBudgets = new Map<string, CallContext[]>();
  private pendingRefresh: Promise<PortalCredentials> | undefined;
  /** Set once the portal's tokens are known dead; every later call fails fast. */
  dead: Bitrix24Error | undefined;

  constructor(
    creds: PortalCredentials,
    private readonly deps: Required<Omit<PortalClientsDeps, 'fetch' | 'retry'>> & Pick<PortalClientsDeps, 'fetch'>,
    private readonly retry: Omit<RetryOptions, 'idempotent'>,
    private readonly log: Logger,
  ) {
    this.memberId = creds.memberId;
    this.creds = creds;
    this.b24 = new B24OAuth(
      toB24OAuthParams(creds),
      { clientId: deps.clientId, clientSecret: deps.clientSecret },
      { restrictionParams: sdkRestrictionParams() },
    );
    // Every refresh the SDK wants (expiry, 401 expired_token/invalid_token) goes through our single flight.
    this.b24.setCustomRefreshAuth(async () => toHandlerRefreshAuth(await this.refresh()));

    const http = this.b24.getHttpClient(ApiVersion.v2).ajaxClient;
    http.defaults.timeout = deps.requestTimeoutMs;
    http.interceptors.request.use((config) => this.beforeSend(config));
    http.interceptors.response.use(
      async (response) => {
        this.deps.observer.request(this.memberId, methodOfUrl(response.config?.url), 'ok');
        await this.noteOperating(response.config?.url, response.data);
        return response;
      },
      (error: unknown) => {
        const url = (error as { config?: { url?: string } })?.config?.url;
        this.deps.observer.request(this.memberId, methodOfUrl(url), requestOutcomeOf(error));
        return this.replayIfStale(http, error);
      },
    );
  }

  async call<T = unknown>(method: string, params: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<T> {
    const idempotent = opts.idempotent ?? isIdempotentMethod(method);
    return this.run(method, idempotent, opts.maxWaitMs, async () => {
      const res: AjaxResult<T> = await this.b24.actions.v2.call.make<T>({ method, params });
      if (!res.isSuccess) throw fromResultErrors(res.getErrors(), method, idempotent, res.getStatus());
      return res.getData()?.result as T;
    });
  }

  async batch(commands: Record<string, BatchCommand>, opts: BatchOptions = {}): Promise<BatchOutcome> {
    const keys = Object.keys(commands);
    if (keys.length === 0 || keys.length > 50) {
      throw new Bitrix24Error({
        kind: 'VALIDATION',
        method: 'batch',
        b24Code: 'ERROR_BATCH_LENGTH_EXCEEDED',
        message: `batch: ${keys.length} commands (1..50 allowed)`,
      });
    }
    const methods = keys.map((k) => commands[k]?.[0] ?? '');
    const idempotent = opts.idempotent ?? batchIsIdempotent(methods);
    return this.run('batch', idempotent, opts.maxWaitMs, async () => {
      const calls = Object.fromEntries(keys.map((k) => [k, [commands[k]?.[0] ?? '', commands[k]?.[1] ?? {}]]));
      const res = await this.b24.actions.v2.batch.make({
        calls: calls as never,
        options: { isHaltOnError: opts.halt ?? false, returnAjaxResult: true },
      });
      const rows = res.getData() as Record<string, AjaxResult> | undefined;
      if (!rows) throw fromResultErrors(res.getErrors(), 'batch', idempotent);
      const outcome: BatchOutcome = { results: {}, errors: {} };
      for (const key of keys) {
        const row = rows[key];
        if (!row) continue; // not run (halt)
        const cmdMethod = commands[key]?.[0] ?? 'batch';
        if (row.isSuccess) outcome.results[key] = row.getData()?.result;
        else outcome.errors[key] = fromResultErrors(row.getErrors(), cmdMethod, isIdempotentMethod(cmdMethod), 400);
      }
      return outcome;
    });
  }

  /** The retry loop around one logical call. */
  private async run<T>(method: string, idempotent: boolean, maxWaitMs: number | undefined, attempt: () => Promise<T>) {
    if (this.dead) throw this.dead.withMethod(method);
    const ctx: CallContext = { method, maxWaitMs: maxWaitMs ?? this.deps.defaultMaxWaitMs };
    let authRetried = false;
    for (let failures = 0; ; ) {
      try {
        if (this.creds.expiresAt - this.deps.expirySkewSec <= nowSec()) await this.refreshSdk();
        return await this.withBudget(ctx, attempt);
      } catch (e) {
        const err = fromSdkError(e, method, idempotent);
        failures += 1;
        if (err.b24Code === 'QUERY_LIMIT_EXCEEDED') await this.deps.limiter.noteExceeded(this.memberId);
        if (err.b24Code === 'OPERATION_TIME_LIMIT') await this.deps.limiter.noteOperationLimit(this.memberId, method);
        // The SDK replays once after expired_token/invalid_token itself; NO_AUTH_FOUND it does not, yet it is
        // what a token replaced elsewhere can answer: resync (adopt or refresh) and replay once.
        if (err.b24Code === 'NO_AUTH_FOUND' && !authRetried && !this.dead) {
          authRetried = true;
          failures -= 1;
          await this.refreshSdk().catch(() => undefined);
          if (!this.isDead()) continue;
        }
        const dead = this.isDead();
        if (dead) throw dead.withMethod(method);
        const decision = decideRetry(err, failures, { ...this.retry, idempotent });
        if (!decision.retry) {
          this.log.warn(
            { method, kind: err.kind, b24Code: err.b24Code, status: err.status, attempts: failures },
            'bitrix24 call failed',
          );
          if (err.kind === 'RATE_LIMITED' && err.retryAfterMs === undefined) {
            // The portal kept refusing: tell the caller at least one drain interval.
            const drain = this.deps.limiter.policyOf(this.memberId).drainPerSec;
            throw new Bitrix24Error({ ...err.toInit(), retryAfterMs: Math.ceil(1000 / drain) });
          }
          throw err;
        }
        this.log.info(
          { method, b24Code: err.b24Code, status: err.status, attempt: failures, delayMs: decision.delayMs },
          'bitrix24 call retried',
        );
        if (decision.delayMs > 0) await sleepMs(decision.delayMs);
      }
    }
  }

  private async withBudget<T>(ctx: CallContext, attempt: () => Promise<T>): Promise<T> {
    const list = this.waitBudgets.get(ctx.method) ?? [];
    list.push(ctx);
    this.waitBudgets.set(ctx.method, list);
    try {
      return await attempt();
    } finally {
      const i = list.indexOf(ctx);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.waitBudgets.delete(ctx.method);
    }
  }

  /** The wait budget of the oldest call of this method whose request has not been sent yet. */
  private takeBudget(method: string): CallContext | undefined {
    const list = this.waitBudgets.get(method);
    const ctx = list?.find((c) => !c.sent);
    if (ctx) ctx.sent = true;
    return ctx;
  }

  // A method, not a field read: TypeScript would keep `this.dead` narrowed across the awaits above.
  private isDead(): Bitrix24Error | undefined {
    return this.dead;
  }

  /** Updates the SDK's own token state through the same single flight (used for proactive refresh). */
  private async refreshSdk(): Promise<void> {
    await this.b24.auth.refreshAuth();
  }

  /**
   * Single flight in this process, row lock across processes. Under the lock: if the stored tokens are not the
   * ones we hold, another process (or a reinstall) already rotated them; adopt them without calling OAuth,
   * unless they too are about to expire. Otherwise spend the stored refresh token, persist the pair, release.
   */
  private refresh(): Promise<PortalCredentials> {
    if (this.dead) return Promise.reject(this.dead);
    this.pendingRefresh ??= this.doRefresh().finally(() => {
      this.pendingRefresh = undefined;
    });
    return this.pendingRefresh;
  }

  private async doRefresh(): Promise<PortalCredentials> {
    const held = this.creds;
    let lockedVersion = held.version;
    let rotatedByUs = false;
    const started = Date.now();
    try {
      const fresh = await this.deps.store.withRefreshLock(this.memberId, async (current) => {
        lockedVersion = current.version;
        const replacedElsewhere = current.version !== held.version || current.accessToken !== held.accessToken;
        if (replacedElsewhere && current.expiresAt - this.deps.expirySkewSec > nowSec()) return null;
        rotatedByUs = true;
        return refreshWithOAuthServer({
          serverEndpoint: current.serverEndpoint,
          clientId: this.deps.clientId,
          clientSecret: this.deps.clientSecret,
          refreshToken: current.refreshToken,
          memberId: this.memberId,
          timeoutMs: this.deps.oauthTimeoutMs,
          ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
        });
      });
      this.creds = fresh;
      this.deps.observer.refresh(this.memberId, rotatedByUs ? 'oauth' : 'adopted');
      this.log.info(
        { version: fresh.version, source: rotatedByUs ? 'oauth' : 'store', ms: Date.now() - started },
        rotatedByUs ? 'bitrix24 tokens refreshed' : 'bitrix24 tokens adopted from store',
      );
      return fresh;
    } catch (e) {
      const err = fromSdkError(e, 'oauth.token', true);
      if (err.b24Code === 'invalid_grant') {
        // The refresh token is dead: nothing but a reinstall brings the portal back. No retry loop.
        await this.deps.store.markNeedsReinstall(this.memberId, 'invalid_grant on token refresh', {
          ifVersion: lockedVersion,
        });
        this.dead = err;
      } else if (err.b24Code === 'PORTAL_NOT_ACTIVE') {
        this.dead = err;
      }
      this.deps.observer.refresh(this.memberId, 'failed', err.b24Code ?? err.kind);
      this.log.warn(
        { kind: err.kind, b24Code: err.b24Code, ms: Date.now() - started },
        'bitrix24 token refresh failed',
      );
      throw err;
    }
  }

  /** Request interceptor: every HTTP request to the portal (first try, post-refresh replay) takes a shared slot. */
  private async beforeSend(config: RequestConfig): Promise<RequestConfig> {
    const method = methodOfUrl(config.url);
    const ctx = this.takeBudget(method);
    let slot: Awaited<ReturnType<PortalRateLimiter['take']>>;
    try {
      slot = await this.deps.limiter.take(this.memberId, {
        method,
        maxWaitMs: ctx?.maxWaitMs ?? this.deps.defaultMaxWaitMs,
      });
    } catch {
      throw new Bitrix24Error({
        kind: 'TRANSIENT',
        method,
        b24Code: 'LIMITER_UNAVAILABLE',
        message: `${method}: shared rate limiter unavailable`,
      });
    }
    if (!slot.ok) {
      throw new Bitrix24Error({
        kind: 'RATE_LIMITED',
        method,
        b24Code: slot.reason === 'operating' ? 'OPERATION_TIME_LIMIT' : 'RATE_LIMITED',
        retryAfterMs: slot.retryAfterMs,
        message: `${method}: portal ${slot.reason === 'operating' ? 'operating budget' : 'request bucket'} busy, retry in ${slot.retryAfterMs} ms`,
      });
    }
    if (slot.waitMs > 0) await sleepMs(slot.waitMs);
    return config;
  }

  /**
   * A 401 for a request sent with a token we have since replaced (the SDK would refresh a second time, b24jssdk
   * notes §2.4 "late 401"): replay it with the current token instead.
   */
  private async replayIfStale(http: AxiosInstance, error: unknown): Promise<unknown> {
    const e = error as { response?: { status?: number }; config?: RequestConfig & { data?: unknown } };
    const sent = tokenSentWith(e.config);
    if (e.response?.status === 401 && e.config && sent && sent !== this.creds.accessToken) {
      const body = typeof e.config.data === 'string' ? (JSON.parse(e.config.data) as Record<string, unknown>) : {};
      return http.request({ ...e.config, data: { ...body, auth: this.creds.accessToken } });
    }
    throw error;
  }

  private async noteOperating(url: string | undefined, data: unknown): Promise<void> {
    const time = (data as { time?: { operating?: unknown; operating_reset_at?: unknown } } | undefined)?.time;
    const operating = Number(time?.operating);
    const resetAt = Number(time?.operating_reset_at);
    if (!Number.isFinite(operating) || !Number.isFinite(resetAt)) return;
    await this.deps.limiter.noteOperating(this.memberId, methodOfUrl(url), operating, resetAt).catch(() => undefined); // best effort: the portal stays the authority and answers 429 if we are wrong
  }
}

/** One long-lived client per portal per process (the SDK's state lives in it). */
export function createPortalClients(deps: PortalClientsDeps): PortalClients {
  const settings = {
    store: deps.store,
    limiter: deps.limiter,
    clientId: deps.clientId,
    clientSecret: deps.clientSecret,
    logger: deps.logger,
    oauthTimeoutMs: deps.oauthTimeoutMs ?? 10_000,
    requestTimeoutMs: deps.requestTimeoutMs ?? 30_000,
    defaultMaxWaitMs: deps.defaultMaxWaitMs ?? 5_000,
    expirySkewSec: deps.expirySkewSec ?? 60,
    observer: deps.observer ?? noPortalCallObserver,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  };
  const retry = { ...DEFAULT_RETRY, ...deps.retry };
  const clients = new Map<string, SdkPortalClient>();
  const creating = new Map<string, Promise<SdkPortalClient>>();
  let closed = false;

  const create = async (memberId: string): Promise<SdkPortalClient> => {
    const creds = await deps.store.load(memberId);
    if (!creds) {
      throw new Bitrix24Error({
        kind: 'TOKEN_REVOKED',
        method: 'portal',
        b24Code: 'PORTAL_NOT_ACTIVE',
        message: `portal ${memberId} is not installed or needs a reinstall`,
      });
    }
    const client = new SdkPortalClient(creds, settings, retry, deps.logger.child({ memberId }));
    if (!closed) clients.set(memberId, client);
    return client;
  };

  return {
    async get(memberId) {
      if (closed)
        throw new Bitrix24Error({
          kind: 'TRANSIENT',
          method: 'portal',
          b24Code: 'CLOSED',
          message: 'portal clients closed',
        });
      const cached = clients.get(memberId);
      if (cached && !cached.dead) return cached;
      if (cached) clients.delete(memberId); // dead tokens: a reinstall may have stored new ones
      let pending = creating.get(memberId);
      if (!pending) {
        pending = create(memberId).finally(() => creating.delete(memberId));
        creating.set(memberId, pending);
      }
      return pending;
    },
    forget(memberId) {
      clients.delete(memberId);
    },
    close() {
      closed = true;
      clients.clear();
    },
  };
}
