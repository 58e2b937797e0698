import type { EmulatorContext } from '../emulator-context.js';
import { clientIdFor, clientSecretFor } from '../state/ids.js';
import type { AppRecord, AppStatus } from '../state/model.js';

// Registered apps live on the OAuth server, like Market apps: one client id/secret valid on every portal.

export interface RegisterAppInput {
  clientId?: string;
  clientSecret?: string;
  name?: string;
  installUrl: string;
  appUrl?: string;
  installEventUrl?: string;
  scope?: string;
  withUi?: boolean;
  status?: AppStatus;
  version?: number;
}

export const DEFAULT_APP_SCOPE = 'crm,placement,user_brief';

export function registerApp(ctx: EmulatorContext, input: RegisterAppInput): AppRecord {
  const seq = ++ctx.state.seq.app;
  const clientId = input.clientId ?? clientIdFor(seq);
  const app: AppRecord = {
    id: seq,
    clientId,
    clientSecret: input.clientSecret ?? clientSecretFor(seq),
    installUrl: input.installUrl,
    appUrl: input.appUrl ?? input.installUrl,
    installEventUrl: input.installEventUrl ?? null,
    scope: input.scope ?? DEFAULT_APP_SCOPE,
    withUi: input.withUi ?? true,
    status: input.status ?? (clientId.startsWith('local.') ? 'L' : 'F'),
    version: input.version ?? 1,
    name: input.name ?? `App ${seq}`,
  };
  ctx.state.apps.set(clientId, app);
  return app;
}
