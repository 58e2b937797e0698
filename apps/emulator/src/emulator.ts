import express from 'express';
import { ControlError } from './control/control-error.js';
import { EmulatorClient } from './control/emulator-client.js';
import { controlRoutes, type EmulatorRuntime } from './control/control.routes.js';
import {
  type Clock,
  EmulatorClock,
  type EmulatorContext,
  type Logger,
  oauthServerEndpoint,
  waitIdle,
} from './emulator-context.js';
import { type Listener, listen } from './http/listener.js';
import { oauthRoutes } from './oauth/oauth.routes.js';
import { portalRequestHandler } from './portal/portal-listener.js';
import { type CreatePortalInput, newPortal } from './portal/portal-service.js';
import { allMethods } from './rest/methods/index.js';
import { bx24Routes } from './ui/bx24.routes.js';
import { timelineImageRoutes } from './ui/timeline-images.routes.js';
import { uiRoutes } from './ui/ui.routes.js';
import { createPortalRestHandler } from './rest/portal-rest.handler.js';
import { EmulatorState } from './state/emulator-state.js';
import { DEFAULT_SETTINGS, type EmulatorSettings, type Portal } from './state/model.js';

export interface EmulatorOptions {
  /** main listener (OAuth server, control API, UI); 0 = random */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** default 3600 */
  accessTokenTtlSec?: number;
  /** data[userId] on ONCRMTIMELINEITEMACTION (default false; auth[user_id] is always the clicker) */
  sendUserIdInData?: boolean;
  /** default false (Bitrix24 does not retry) */
  retryFailedDeliveries?: boolean;
  logger?: Logger | false;
  /** any other switch of EmulatorSettings */
  settings?: Partial<EmulatorSettings>;
  /** the time source (default the system clock); the control API's clock offset is added to it */
  clock?: Clock;
}

export interface RunningEmulator {
  url: string;
  oauthServerEndpoint: string;
  client: EmulatorClient;
  /** in-process access for tests that want it; the HTTP control API is the supported interface */
  context: EmulatorContext;
  close(): Promise<void>;
}

const silent: Logger = { info() {}, warn() {} };
const consoleLogger: Logger = { info: (...a) => console.log(...a), warn: (...a) => console.warn(...a) };

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const initialSettings: EmulatorSettings = {
    ...DEFAULT_SETTINGS,
    ...opts.settings,
    ...(opts.accessTokenTtlSec !== undefined ? { accessTokenTtlSec: opts.accessTokenTtlSec } : {}),
    ...(opts.sendUserIdInData !== undefined ? { sendUserIdInData: opts.sendUserIdInData } : {}),
    ...(opts.retryFailedDeliveries !== undefined ? { retryFailedDeliveries: opts.retryFailedDeliveries } : {}),
  };
  const clock = new EmulatorClock(opts.clock);
  const ctx: EmulatorContext = {
    state: new EmulatorState(),
    settings: { ...initialSettings },
    logger: opts.logger === false ? silent : (opts.logger ?? consoleLogger),
    host,
    mainUrl: '',
    clock,
    now: () => clock.now(),
    pending: new Set(),
  };
  const methods = allMethods();
  const rest = createPortalRestHandler(ctx, methods);
  const portalListeners = new Map<string, Listener>();

  const runtime: EmulatorRuntime = {
    ctx,
    async createPortal(input: CreatePortalInput): Promise<Portal> {
      if (input.memberId && ctx.state.portals.has(input.memberId)) {
        throw new ControlError('PORTAL_EXISTS', `Portal ${input.memberId} already exists`, 409);
      }
      // the portal's domain is its listener's host:port, so the port comes first
      let handler: ReturnType<typeof portalRequestHandler> | null = null;
      const listener = await listen(host, 0, (req, res) => {
        if (handler) handler(req, res);
        else res.writeHead(503).end();
      });
      const portal = newPortal(ctx, input, listener.port);
      handler = portalRequestHandler(ctx, rest, portal, (req, res) => app(req, res));
      portalListeners.set(portal.memberId, listener);
      return portal;
    },
    async reset() {
      await waitIdle(ctx, 5_000);
      await Promise.all([...portalListeners.values()].map((l) => l.close()));
      portalListeners.clear();
      ctx.state.clear();
      ctx.clock.reset();
      Object.assign(ctx.settings, initialSettings);
    },
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(oauthRoutes(ctx));
  app.use('/_emulator', controlRoutes(runtime));
  app.use(bx24Routes(ctx));
  app.use(timelineImageRoutes());
  app.use(uiRoutes(ctx));
  const main = await listen(host, opts.port ?? 4000, app);
  ctx.mainUrl = `http://${host}:${main.port}`;
  ctx.logger.info(`[emulator] listening on ${ctx.mainUrl}`);

  return {
    url: ctx.mainUrl,
    oauthServerEndpoint: oauthServerEndpoint(ctx),
    client: new EmulatorClient(ctx.mainUrl),
    context: ctx,
    async close() {
      await Promise.all([...portalListeners.values()].map((l) => l.close()));
      portalListeners.clear();
      await main.close();
    },
  };
}
