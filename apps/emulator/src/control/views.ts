import type { Layout } from '@b24app/layout';
import type { EmulatorContext } from '../emulator-context.js';
import type { ConfigurableActivity, LockKind, Portal } from '../state/model.js';
import { activeLocks } from '../timeline/click-service.js';

// Read models the control API returns.

export interface PortalView {
  memberId: string;
  name: string;
  plan: string;
  domain: string;
  clientEndpoint: string;
  adminUserId: number;
  users: { id: number; name: string; admin: boolean }[];
  crmItems: { id: number; entityTypeId: number; title: string }[];
  apps: { clientId: string; installed: boolean; applicationToken: string }[];
}

export function portalView(ctx: EmulatorContext, p: Portal): PortalView {
  return {
    memberId: p.memberId,
    name: p.name,
    plan: p.plan,
    domain: p.domain,
    clientEndpoint: p.clientEndpoint,
    adminUserId: 1,
    users: [...p.users.values()].map((u) => ({ id: u.id, name: `${u.name} ${u.lastName}`.trim(), admin: u.admin })),
    crmItems: [...p.crmItems.values()].map((i) => ({ id: i.id, entityTypeId: i.entityTypeId, title: i.title })),
    apps: [...ctx.state.installations.values()]
      .filter((i) => i.memberId === p.memberId)
      .map((i) => ({ clientId: i.clientId, installed: i.installed, applicationToken: i.applicationToken })),
  };
}

export interface ActivityView {
  id: number;
  memberId: string;
  ownerTypeId: number;
  ownerId: number;
  clientId: string;
  fields: ConfigurableActivity['fields'];
  layout: Layout;
  locked: boolean;
  lockKind: LockKind | null;
  /** footer buttons disabled by a `disable` lock */
  disabledButtons: string[];
  updates: number;
  createdAt: number;
  updatedAt: number;
}

export function activityView(ctx: EmulatorContext, p: Portal, a: ConfigurableActivity): ActivityView {
  const locks = activeLocks(ctx, p.memberId, a.id);
  const loader = locks.some((l) => l.kind === 'loader');
  return {
    id: a.id,
    memberId: p.memberId,
    ownerTypeId: a.ownerTypeId,
    ownerId: a.ownerId,
    clientId: a.clientId,
    fields: a.fields,
    layout: a.layout,
    locked: locks.length > 0,
    lockKind: loader ? 'loader' : locks.length > 0 ? 'disable' : null,
    disabledButtons: locks.filter((l) => l.kind === 'disable' && l.button).map((l) => l.button as string),
    updates: a.updates,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}
