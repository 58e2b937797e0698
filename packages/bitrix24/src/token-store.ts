/**
 * The token store port. The portal client only ever reads and rotates tokens through this interface;
 * `createPrismaTokenStore` is the production adapter (and the one writer of the token columns), tests may
 * pass their own.
 */

/** A portal's endpoints and live tokens, as the portal client uses them. */
export interface PortalCredentials {
  memberId: string;
  domain: string;
  /** As Bitrix24 sent it, e.g. `https://x.bitrix24.com/rest/`. */
  clientEndpoint: string;
  /** As Bitrix24 sent it, with its `/rest/` suffix, e.g. `https://oauth.bitrix.info/rest/`. */
  serverEndpoint: string;
  scope: string;
  accessToken: string;
  refreshToken: string;
  /** Unix seconds. */
  expiresAt: number;
  /** Bumped on every token write; tells a process that another one already rotated. */
  version: number;
  /** When the refresh token was issued (unix seconds); unknown for rows older than the column. */
  refreshIssuedAt?: number | undefined;
}

export interface RotatedTokens {
  accessToken: string;
  refreshToken: string;
  /** Unix seconds. */
  expiresAt: number;
}

export interface TokenStore {
  /** null when the portal is unknown, uninstalled, or needs a reinstall. */
  load(memberId: string): Promise<PortalCredentials | null>;
  /** The stored token version (bumped by every token write), without decrypting; null as for `load`. */
  version(memberId: string): Promise<number | null>;
  /**
   * Cross-process critical section over one portal's tokens. `fn` gets the freshest stored credentials; if it
   * returns new tokens they are persisted (version + 1) before the lock is released. Rejects with
   * `Bitrix24Error` kind TOKEN_REVOKED when the portal has no usable tokens any more.
   */
  withRefreshLock(
    memberId: string,
    fn: (current: PortalCredentials) => Promise<RotatedTokens | null>,
  ): Promise<PortalCredentials>;
  /**
   * Marks the portal NEEDS_REINSTALL and forgets its tokens. With `ifVersion`, only when the stored tokens are
   * still that version (so a reinstall that raced us is not undone).
   */
  markNeedsReinstall(memberId: string, reason: string, opts?: { ifVersion?: number }): Promise<void>;
}
