import { ControlError, controlErrors } from '../control/control-error.js';
import type { EmulatorContext } from '../emulator-context.js';
import { dispatchEvent } from '../events/event-dispatcher.js';
import { revokeTokens } from '../oauth/token-service.js';
import { applicationTokenFor } from '../state/ids.js';
import { installationKey } from '../state/emulator-state.js';
import type { AppRecord, Installation, Portal } from '../state/model.js';
import { openFrameSession, postFrame } from './frame-post.js';

// Installing an app the way Bitrix24 does:
// - app with UI: frame POST to the install URL, INSTALLED=N until installFinish, then ONAPPINSTALL;
// - app without UI: INSTALLED=Y at once and ONAPPINSTALL POSTed to the install URL.
// Uninstalling sends ONAPPUNINSTALL (no tokens) before the app's handlers and tokens are dropped.

function lookup(ctx: EmulatorContext, memberId: string, clientId: string): { portal: Portal; app: AppRecord } {
  const portal = ctx.state.portals.get(memberId);
  if (!portal) throw controlErrors.portalNotFound(memberId);
  const app = ctx.state.apps.get(clientId);
  if (!app) throw controlErrors.appNotFound(clientId);
  return { portal, app };
}

function implicitInstallBinding(
  ctx: EmulatorContext,
  memberId: string,
  app: AppRecord,
  url: string,
  userId: number,
): void {
  ctx.state.bindings.push({
    id: ++ctx.state.seq.binding,
    memberId,
    clientId: app.clientId,
    event: 'ONAPPINSTALL',
    handler: url,
    authType: 0,
    offline: false,
    connector: '',
    boundBy: userId,
  });
}

export interface InstallResult {
  applicationToken: string;
  /** HTTP status the install URL answered (0 = unreachable) */
  installStatus: number;
  installed: boolean;
  appSid: string | null;
}

export async function installApp(
  ctx: EmulatorContext,
  memberId: string,
  clientId: string,
  o: { userId?: number; finish?: boolean; framePost?: boolean } = {},
): Promise<InstallResult> {
  const { portal, app } = lookup(ctx, memberId, clientId);
  if (ctx.state.installation(memberId, clientId)) throw controlErrors.alreadyInstalled();
  const userId = o.userId ?? 1;
  const installer = portal.users.get(userId);
  if (!installer) throw controlErrors.userNotFound(userId);
  if (!installer.admin) throw new ControlError('USER_NOT_ADMIN', 'Only an administrator can install apps', 403);
  const installation: Installation = {
    memberId,
    clientId,
    installed: !app.withUi,
    applicationToken: applicationTokenFor(memberId, clientId, app.clientSecret, ++ctx.state.seq.install),
    installedBy: userId,
    installedAt: ctx.now(),
  };
  ctx.state.installations.set(installationKey(memberId, clientId), installation);
  if (app.installEventUrl) implicitInstallBinding(ctx, memberId, app, app.installEventUrl, userId);

  if (!app.withUi) {
    implicitInstallBinding(ctx, memberId, app, app.installUrl, userId);
    const deliveries = await fireInstallEvent(ctx, portal, app, userId);
    const toInstallUrl = deliveries.find((d) => d.url === app.installUrl);
    return {
      applicationToken: installation.applicationToken,
      installStatus: toInstallUrl?.status ?? 0,
      installed: true,
      appSid: null,
    };
  }

  // framePost false: the browser UI submits the frame itself (the installer opens in its iframe)
  if (o.framePost === false) {
    return { applicationToken: installation.applicationToken, installStatus: 0, installed: false, appSid: null };
  }
  const session = openFrameSession(ctx, { memberId, clientId, userId, install: true });
  const posted = await postFrame(ctx, app.installUrl, session);
  if (posted.error) ctx.logger.warn(`[emulator] install frame POST to ${app.installUrl} failed: ${posted.error}`);
  if (o.finish ?? true) await finishInstall(ctx, memberId, clientId);
  return {
    applicationToken: installation.applicationToken,
    installStatus: posted.status,
    installed: installation.installed,
    appSid: session.sid,
  };
}

function fireInstallEvent(ctx: EmulatorContext, portal: Portal, app: AppRecord, userId: number) {
  return dispatchEvent(ctx, {
    memberId: portal.memberId,
    event: 'ONAPPINSTALL',
    data: { VERSION: String(app.version), ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: portal.lang },
    actingUserId: userId,
    onlyClientId: app.clientId,
  });
}

/** BX24.installFinish(): INSTALLED=Y, then ONAPPINSTALL to the handlers bound so far. */
export async function finishInstall(ctx: EmulatorContext, memberId: string, clientId: string): Promise<void> {
  const { portal, app } = lookup(ctx, memberId, clientId);
  const inst = ctx.state.installation(memberId, clientId);
  if (!inst) throw controlErrors.notInstalled();
  if (inst.installed) throw controlErrors.alreadyInstalled();
  inst.installed = true;
  await fireInstallEvent(ctx, portal, app, inst.installedBy);
}

export async function uninstallApp(
  ctx: EmulatorContext,
  memberId: string,
  clientId: string,
  o: { clean?: boolean } = {},
): Promise<void> {
  const { portal } = lookup(ctx, memberId, clientId);
  const inst = ctx.state.installation(memberId, clientId);
  if (!inst) throw controlErrors.notInstalled();
  const own = (b: { memberId: string; clientId: string }) => b.memberId === memberId && b.clientId === clientId;
  // OnRestAppDelete fires before the handlers are deleted (CRestUtil::CleanApp)
  const delivered = dispatchEvent(ctx, {
    memberId,
    event: 'ONAPPUNINSTALL',
    data: { LANGUAGE_ID: portal.lang, CLEAN: o.clean ? '1' : '0' },
    actingUserId: null,
    onlyClientId: clientId,
    bindings: ctx.state.bindings.filter(own),
    ignoreInstalled: true,
  });
  ctx.state.bindings = ctx.state.bindings.filter((b) => !own(b));
  // the app's robots and placements go with it; its running automation can no longer answer
  for (const [key, robot] of portal.robots) if (robot.clientId === clientId) portal.robots.delete(key);
  portal.placements = portal.placements.filter((p) => p.clientId !== clientId);
  for (const run of portal.robotRuns.values()) {
    if (run.clientId === clientId && run.state === 'running') {
      run.state = 'stopped';
      run.completedAt = ctx.now();
    }
  }
  revokeTokens(ctx, memberId, clientId);
  for (const [sid, s] of ctx.state.frameSessions) if (own(s)) ctx.state.frameSessions.delete(sid);
  ctx.state.installations.delete(installationKey(memberId, clientId));
  await delivered;
}
