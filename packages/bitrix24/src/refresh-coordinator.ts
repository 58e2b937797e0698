import type { Logger } from '@b24app/core';
import type { Bitrix24Error } from './bitrix24-errors.js';
import { refreshWithOAuthServer } from './oauth-refresh.js';
import type { PortalCallObserver } from './portal-call-observer.js';
import { fromSdkError } from './sdk-error-mapping.js';
import type { PortalCredentials, TokenStore } from './token-store.js';

export interface RefreshDeps {
  store: TokenStore;
  clientId: string;
  clientSecret: string;
  oauthTimeoutMs: number;
  expirySkewSec: number;
  fetch?: typeof fetch;
  /** Metrics hook: every HTTP request's outcome and every refresh. */
  observer: PortalCallObserver;
}

const nowSec = () => Math.floor(Date.now() / 1000);

/**
 * One portal's tokens in one process: single flight in this process, the store's row lock across processes.
 * Under the lock: if the stored tokens are not the ones we hold, another process (or a reinstall) already
 * rotated them; adopt them without calling OAuth, unless they too are about to expire. Otherwise spend the
 * stored refresh token, persist the pair, release.
 */
export class RefreshCoordinator {
  private current: PortalCredentials;
  private pending: Promise<PortalCredentials> | undefined;
  /** Set once the portal's tokens are known dead; every later call fails fast. */
  dead: Bitrix24Error | undefined;

  constructor(
    creds: PortalCredentials,
    private readonly deps: RefreshDeps,
    private readonly log: Logger,
  ) {
    this.current = creds;
  }

  get creds(): PortalCredentials {
    return this.current;
  }

  /** The held access token expires within the skew: refresh before sending. */
  expiringSoon(): boolean {
    return this.current.expiresAt - this.deps.expirySkewSec <= nowSec();
  }

  refresh(): Promise<PortalCredentials> {
    if (this.dead) return Promise.reject(this.dead);
    this.pending ??= this.rotate().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /**
   * The token keep-alive: spends the refresh token (a fresh pair, a refresh token with a new lifetime) unless
   * the stored one was issued after `issuedBefore` (unix seconds): a refresh meanwhile, here or in any process,
   * already renewed it. Joins a refresh in flight in this process instead of starting a second one.
   */
  async keepAlive(issuedBefore: number): Promise<'refreshed' | 'renewed_meanwhile'> {
    if (this.dead) throw this.dead;
    if (this.pending) {
      await this.pending;
      return 'renewed_meanwhile';
    }
    let refreshed = false;
    this.pending = this.rotate(issuedBefore, () => {
      refreshed = true;
    }).finally(() => {
      this.pending = undefined;
    });
    await this.pending;
    return refreshed ? 'refreshed' : 'renewed_meanwhile';
  }

  private async rotate(keepAliveBefore?: number, onOAuth?: () => void): Promise<PortalCredentials> {
    const held = this.current;
    const memberId = held.memberId;
    let lockedVersion = held.version;
    let rotatedByUs = false;
    const started = Date.now();
    try {
      const fresh = await this.deps.store.withRefreshLock(memberId, async (stored) => {
        lockedVersion = stored.version;
        if (keepAliveBefore !== undefined && (stored.refreshIssuedAt ?? 0) > keepAliveBefore) return null;
        const replacedElsewhere = stored.version !== held.version || stored.accessToken !== held.accessToken;
        // The keep-alive wants the refresh token renewed even while the access token is fresh.
        if (keepAliveBefore === undefined && replacedElsewhere && stored.expiresAt - this.deps.expirySkewSec > nowSec())
          return null;
        rotatedByUs = true;
        onOAuth?.();
        return refreshWithOAuthServer({
          serverEndpoint: stored.serverEndpoint,
          clientId: this.deps.clientId,
          clientSecret: this.deps.clientSecret,
          refreshToken: stored.refreshToken,
          memberId,
          timeoutMs: this.deps.oauthTimeoutMs,
          ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
        });
      });
      this.current = fresh;
      this.deps.observer.refresh(memberId, rotatedByUs ? 'oauth' : 'adopted');
      this.log.info(
        { version: fresh.version, source: rotatedByUs ? 'oauth' : 'store', ms: Date.now() - started },
        rotatedByUs ? 'bitrix24 tokens refreshed' : 'bitrix24 tokens adopted from store',
      );
      return fresh;
    } catch (e) {
      const err = fromSdkError(e, 'oauth.token', true);
      if (err.b24Code === 'invalid_grant') {
        // The refresh token is dead: nothing but a reinstall brings the portal back. No retry loop.
        await this.deps.store.markNeedsReinstall(memberId, 'invalid_grant on token refresh', {
          ifVersion: lockedVersion,
        });
        this.dead = err;
      } else if (err.b24Code === 'PORTAL_NOT_ACTIVE') {
        this.dead = err;
      }
      this.deps.observer.refresh(memberId, 'failed', err.b24Code ?? err.kind);
      this.log.warn(
        { kind: err.kind, b24Code: err.b24Code, ms: Date.now() - started },
        'bitrix24 token refresh failed',
      );
      throw err;
    }
  }
}
