import type { Logger } from '@b24app/core';
import { type AjaxResult, ApiVersion, B24OAuth } from '@bitrix24/b24jssdk';
import { Bitrix24Error } from './bitrix24-errors.js';
import { type CallBudgets, createCallBudgets } from './call-budgets.js';
import { runCall } from './call-loop.js';
import { limiterInterceptor } from './limiter-interceptor.js';
import { operatingTimeRecorder } from './operating-time.js';
import { requestOutcomeOf } from './portal-call-observer.js';
import type { PortalRateLimiter } from './portal-rate-limiter.js';
import { RefreshCoordinator, type RefreshDeps } from './refresh-coordinator.js';
import { batchIsIdempotent, isIdempotentMethod, type RetryOptions } from './retry-policy.js';
import { fromResultErrors } from './sdk-error-mapping.js';
import { sdkRestrictionParams, toB24OAuthParams, toHandlerRefreshAuth } from './sdk-settings.js';
import { staleTokenReplay } from './stale-token-replay.js';
import type { PortalCredentials } from './token-store.js';

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

/** What one portal's client is built with (the factory's settings, resolved). */
export interface PortalClientSettings extends RefreshDeps {
  limiter: PortalRateLimiter;
  requestTimeoutMs: number;
  defaultMaxWaitMs: number;
  retry: Omit<RetryOptions, 'idempotent'>;
}

/**
 * One portal, one process: a long-lived `B24OAuth` composed of the call loop (`call-loop.ts`), the refresh
 * single flight (`refresh-coordinator.ts`), and three HTTP interceptors: the shared limiter
 * (`limiter-interceptor.ts`), operating-time accounting (`operating-time.ts`) and the stale-token replay
 * (`stale-token-replay.ts`). Failures come out as Bitrix24Error only.
 */
export class SdkPortalClient implements PortalClient {
  readonly memberId: string;
  private readonly b24: B24OAuth;
  private readonly tokens: RefreshCoordinator;
  private readonly budgets: CallBudgets = createCallBudgets();
  /** The next refresh the SDK asks for takes the pair we hold (the keep-alive just rotated it). */
  private handOver = false;

  constructor(
    creds: PortalCredentials,
    private readonly settings: PortalClientSettings,
    private readonly log: Logger,
  ) {
    this.memberId = creds.memberId;
    this.tokens = new RefreshCoordinator(creds, settings, log);
    this.b24 = new B24OAuth(
      toB24OAuthParams(creds),
      { clientId: settings.clientId, clientSecret: settings.clientSecret },
      { restrictionParams: sdkRestrictionParams() },
    );
    // Every refresh the SDK wants (expiry, 401 expired_token/invalid_token) goes through our single flight.
    this.b24.setCustomRefreshAuth(async () => {
      if (this.handOver) {
        this.handOver = false;
        return toHandlerRefreshAuth(this.tokens.creds);
      }
      return toHandlerRefreshAuth(await this.tokens.refresh());
    });

    const http = this.b24.getHttpClient(ApiVersion.v2).ajaxClient;
    http.defaults.timeout = settings.requestTimeoutMs;
    // A 307/308 would re-send the body, `auth` included, to whatever host it names: never follow one.
    http.defaults.maxRedirects = 0;
    http.interceptors.request.use(
      limiterInterceptor({
        memberId: this.memberId,
        limiter: settings.limiter,
        budgets: this.budgets,
        defaultMaxWaitMs: settings.defaultMaxWaitMs,
      }),
    );
    // Registered first, so it sees every answer before the stale-token replay handles it (metrics only).
    const observer = settings.observer;
    http.interceptors.response.use(
      (response) => {
        observer.request(this.memberId, methodOfUrl(response.config?.url), 'ok');
        return response;
      },
      (error: unknown) => {
        const url = (error as { config?: { url?: string } })?.config?.url;
        observer.request(this.memberId, methodOfUrl(url), requestOutcomeOf(error));
        return Promise.reject(error);
      },
    );
    http.interceptors.response.use(
      operatingTimeRecorder({ memberId: this.memberId, limiter: settings.limiter }),
      staleTokenReplay(http, () => this.tokens.creds.accessToken),
    );
  }

  /** Set once the portal's tokens are known dead. */
  get dead(): Bitrix24Error | undefined {
    return this.tokens.dead;
  }

  /** The token version this client holds (a newer stored one means a reinstall or another process's rotation). */
  get version(): number {
    return this.tokens.creds.version;
  }

  /** The token keep-alive, through this portal's single flight (RefreshCoordinator.keepAlive). */
  async keepAlive(issuedBefore: number): Promise<'refreshed' | 'renewed_meanwhile'> {
    const outcome = await this.tokens.keepAlive(issuedBefore);
    // The SDK keeps its own copy of the pair: hand it the new one now, without a second OAuth call.
    this.handOver = true;
    await this.b24.auth.refreshAuth();
    return outcome;
  }

  async call<T = unknown>(method: string, params: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<T> {
    const idempotent = opts.idempotent ?? isIdempotentMethod(method);
    return this.run(method, idempotent, opts.maxWaitMs, async (requestId) => {
      const res: AjaxResult<T> = await this.b24.actions.v2.call.make<T>({ method, params, requestId });
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
    return this.run('batch', idempotent, opts.maxWaitMs, async (requestId) => {
      const calls = Object.fromEntries(keys.map((k) => [k, [commands[k]?.[0] ?? '', commands[k]?.[1] ?? {}]]));
      const res = await this.b24.actions.v2.batch.make({
        calls: calls as never,
        options: { isHaltOnError: opts.halt ?? false, returnAjaxResult: true, requestId },
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

  /** Each attempt of the loop gets a fresh request id carrying the call's wait budget. */
  private run<T>(
    method: string,
    idempotent: boolean,
    maxWaitMs: number | undefined,
    attempt: (requestId: string) => Promise<T>,
  ): Promise<T> {
    const budget = maxWaitMs ?? this.settings.defaultMaxWaitMs;
    return runCall(
      {
        memberId: this.memberId,
        limiter: this.settings.limiter,
        retry: this.settings.retry,
        log: this.log,
        dead: () => this.tokens.dead,
        // Updates the SDK's own token state through the same single flight.
        resync: async () => void (await this.b24.auth.refreshAuth()),
        expiringSoon: () => this.tokens.expiringSoon(),
      },
      { method, idempotent },
      () => this.budgets.with(budget, attempt),
    );
  }
}

/** The REST method of a request URL, for metrics labels. */
function methodOfUrl(url: string | undefined): string {
  const path = (url ?? '').split('?')[0] ?? '';
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || 'unknown';
}
