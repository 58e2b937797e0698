import type { EmulatorClient } from '../control/emulator-client.js';

// The demo portal `npm start` shows: a portal with an admin and two users, a few CRM items, and the app
// registered and installed (frame POST to its install URL, then installFinish and ONAPPINSTALL).

export interface SeedDemoInput {
  installUrl: string;
  appUrl: string;
  clientId: string;
  clientSecret: string;
  /** default crm,placement,user_brief */
  scope?: string;
  appName?: string;
  /** a fixed member id, so a restarted stack finds the same portal in its database */
  memberId?: string;
}

export interface SeedDemoResult {
  memberId: string;
  domain: string;
  clientEndpoint: string;
  applicationToken: string;
  /** HTTP status the app's install URL answered (0 = unreachable) */
  installStatus: number;
  users: { id: number; name: string; admin: boolean }[];
  dealId: number;
  urls: { emulator: string; portal: string; deal: string; app: string; log: string };
}

export async function seedDemo(client: EmulatorClient, input: SeedDemoInput): Promise<SeedDemoResult> {
  const portal = await client.createPortal({ name: 'Demo portal', memberId: input.memberId });
  const maria = await client.createUser(portal.memberId, { name: 'Maria Manager' });
  const ivan = await client.createUser(portal.memberId, { name: 'Ivan Approver' });
  const deal = await client.createCrmItem(portal.memberId, { entityTypeId: 2, title: 'Demo deal: 100 office chairs' });
  await client.createCrmItem(portal.memberId, { entityTypeId: 2, title: 'Demo deal: annual support renewal' });
  await client.createCrmItem(portal.memberId, { entityTypeId: 1, title: 'Lead: website inquiry' });
  await client.createCrmItem(portal.memberId, { entityTypeId: 3, title: 'John Smith' });
  await client.registerApp({
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    name: input.appName ?? 'Approvals',
    installUrl: input.installUrl,
    appUrl: input.appUrl,
    // the app's robot (bizproc), placements and notifications (im) need their scopes
    scope: input.scope ?? 'crm,bizproc,placement,user_brief,im',
  });
  const installed = await client.installApp(portal.memberId, input.clientId);
  const base = client.baseUrl;
  return {
    memberId: portal.memberId,
    domain: portal.domain,
    clientEndpoint: portal.clientEndpoint,
    applicationToken: installed.applicationToken,
    installStatus: installed.installStatus,
    users: [
      { id: portal.adminUserId, name: 'Admin Adminov', admin: true },
      { id: maria.id, name: 'Maria Manager', admin: false },
      { id: ivan.id, name: 'Ivan Approver', admin: false },
    ],
    dealId: deal.id,
    urls: {
      emulator: base,
      portal: `${base}/ui/portals/${portal.memberId}`,
      deal: `${base}/ui/portals/${portal.memberId}/crm/2/${deal.id}`,
      app: `${base}/ui/portals/${portal.memberId}/apps/${encodeURIComponent(input.clientId)}`,
      log: `${base}/ui/log?memberId=${portal.memberId}`,
    },
  };
}
