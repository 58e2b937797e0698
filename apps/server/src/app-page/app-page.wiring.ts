/** Composes the app page (frame POST verification, sessions, API service) from the server's shared parts. */
import { fileURLToPath } from 'node:url';
import type { Logger, TokenCipher } from '@b24app/core';
import type { ApiKeysRepository, Db, TimelineEventsRepository } from '@b24app/db';
import type { ClickProducer } from '@b24app/jobs';
import type { ApprovalService } from '../approvals/approval.service.js';
import type { HostPolicy } from '../b24/host-policy.js';
import type { FetchAppInfo } from '../install/oauth-app-info.js';
import { type ApiKeysPageService, createApiKeysPageService } from './api-keys.service.js';
import { createAppApiService, type AppApiService } from './app-api.service.js';
import { loadPageTemplate } from './app-page-html.js';
import { type AppSessionCodec, createAppSessionCodec } from './app-session.js';
import { createPageDecisionRecorder } from './page-decision.js';
import { createClickReplayer } from './replay-click.js';
import { createUserRest } from './user-rest.js';
import { createFrameUserVerifier, type VerifyFrameUser } from './verify-frame-user.js';

export interface AppPageDeps {
  db: Db;
  verify: VerifyFrameUser;
  sessions: AppSessionCodec;
  api: AppApiService;
  apiKeys: ApiKeysPageService;
  template: () => string | null;
  assetsDir: string;
}

// apps/server/{src,dist}/app-page → apps/app-page/dist
const DEFAULT_DIR = fileURLToPath(new URL('../../../app-page/dist/', import.meta.url));

export function buildAppPage(opts: {
  db: Db;
  cipher: TokenCipher;
  sessionSecret: string;
  sessionTtlSec: number;
  hostPolicy: HostPolicy;
  fetchAppInfo: FetchAppInfo;
  clientId: string;
  requestTimeoutMs: number;
  apiKeys: ApiKeysRepository;
  clicks: Pick<TimelineEventsRepository, 'replayFailed' | 'record' | 'markEnqueued'>;
  /** The one click producer: a decision made on the page is enqueued like a click. */
  producer: Pick<ClickProducer, 'enqueue'>;
  /** The click rows' token cipher (the worker opens a page decision's user token with it). */
  clickCipher: Pick<TokenCipher, 'encrypt'>;
  approvals: Pick<ApprovalService, 'create'>;
  logger: Logger;
  pageDir?: string | undefined;
  fetchImpl?: typeof fetch;
}): AppPageDeps {
  const userRest = createUserRest({
    timeoutMs: opts.requestTimeoutMs,
    ...(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}),
  });
  const assetsDir = opts.pageDir ?? DEFAULT_DIR;
  let template: string | null | undefined;
  return {
    db: opts.db,
    verify: createFrameUserVerifier({
      db: opts.db,
      hostPolicy: opts.hostPolicy,
      fetchAppInfo: opts.fetchAppInfo,
      userRest,
      clientId: opts.clientId,
    }),
    sessions: createAppSessionCodec({ secret: opts.sessionSecret, cipher: opts.cipher, ttlSec: opts.sessionTtlSec }),
    api: createAppApiService({
      db: opts.db,
      userRest,
      replay: createClickReplayer({ clicks: opts.clicks }),
      approvals: opts.approvals,
      decisions: createPageDecisionRecorder({
        db: opts.db,
        clicks: opts.clicks,
        producer: opts.producer,
        cipher: opts.clickCipher,
        logger: opts.logger,
      }),
    }),
    apiKeys: createApiKeysPageService({ keys: opts.apiKeys }),
    // Read once, on first use: a server started before `npm run build` picks the page up without a restart.
    template: () => {
      if (!template) template = loadPageTemplate(`${assetsDir}/index.html`);
      return template;
    },
    assetsDir,
  };
}
