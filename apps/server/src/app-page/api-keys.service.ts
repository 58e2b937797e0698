/**
 * The app page's API keys, for the portal's administrators only: several per portal, each with a name. The key
 * and its signing secret are answered once, at creation; afterwards the page sees a prefix and the last four.
 */
import { AppError } from '@b24app/core';
import type { ApiKeysRepository, ApiKeyView } from '@b24app/db';
import { requireAdmin, type SessionContext } from './app-api.service.js';

/** Live keys a portal may have at once: enough for every integration, not a place to mint keys in a loop. */
const MAX_ACTIVE_KEYS = 20;

export interface ApiKeyPageView {
  id: string;
  name: string;
  prefix: string;
  last4: string;
  createdAt: string;
  createdBy: { id: number; name: string | null };
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface ApiKeysPageService {
  list(s: SessionContext): Promise<ApiKeyPageView[]>;
  issue(
    s: SessionContext,
    input: { name: string },
  ): Promise<{ key: ApiKeyPageView; apiKey: string; signingSecret: string }>;
  revoke(s: SessionContext, id: string): Promise<void>;
}

const view = (k: ApiKeyView): ApiKeyPageView => ({
  ...k,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

export function createApiKeysPageService(deps: {
  keys: Pick<ApiKeysRepository, 'issue' | 'list' | 'countActive' | 'revoke'>;
}): ApiKeysPageService {
  return {
    async list(s) {
      requireAdmin(s);
      return (await deps.keys.list(s.portalId)).map(view);
    },
    async issue(s, input) {
      requireAdmin(s);
      if ((await deps.keys.countActive(s.portalId)) >= MAX_ACTIVE_KEYS) {
        throw new AppError('CONFLICT', `A portal has at most ${MAX_ACTIVE_KEYS} live API keys: revoke one first`);
      }
      const issued = await deps.keys.issue({
        portalId: s.portalId,
        name: input.name,
        createdBy: { id: s.userId, name: s.userName },
      });
      return { ...issued, key: view(issued.key) };
    },
    async revoke(s, id) {
      requireAdmin(s);
      if (!(await deps.keys.revoke(s.portalId, id, s.userId))) {
        throw new AppError('NOT_FOUND', 'No such API key on this portal');
      }
    },
  };
}
