// The events an app may bind on the emulated portal, with the scope each needs (null = any app).

const CRM_ENTITY_EVENTS = ['LEAD', 'DEAL', 'CONTACT', 'ACTIVITY'].flatMap((e) =>
  ['ADD', 'UPDATE', 'DELETE'].map((op) => `ONCRM${e}${op}`),
);

export const EVENT_SCOPES: ReadonlyMap<string, string | null> = new Map<string, string | null>([
  ['ONAPPINSTALL', null],
  ['ONAPPUPDATE', null],
  ['ONAPPUNINSTALL', null],
  ['ONAPPTEST', null],
  ['ONCRMTIMELINEITEMACTION', 'crm'],
  ...CRM_ENTITY_EVENTS.map((e) => [e, 'crm'] as [string, string]),
  ['ONUSERADD', 'user'],
]);

/** Events whose `auth` carries a refresh_token (CRestProvider: sendRefreshToken => true). */
export const EVENTS_WITH_REFRESH_TOKEN = new Set(['ONAPPINSTALL', 'ONAPPUPDATE', 'ONAPPTEST', 'ONOFFLINEEVENT']);

/** Events sent without tokens (sendAuth => false). */
export const EVENTS_WITHOUT_AUTH = new Set(['ONAPPUNINSTALL', 'ONAPPMETHODCONFIRM']);

export function eventAvailable(event: string, appScopes: readonly string[]): boolean {
  if (!EVENT_SCOPES.has(event)) return false;
  const scope = EVENT_SCOPES.get(event);
  return scope === null || scope === undefined || appScopes.includes(scope);
}
