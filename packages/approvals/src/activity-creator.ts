// The add of an approval's card, shared by the integrations API's synchronous create (apps/server) and the creation
// job (apps/worker): `crm.activity.configurable.add` is never retried blindly, and a lost answer is resolved by the
// originId the card carries (our approval id), so one approval gets at most one activity.
import type { ActivityPayload } from './approval-activity.js';
import { ORIGINATOR_ID } from './activity-origin.js';

/** The part of a portal client the add needs (structural: `@b24app/bitrix24`'s PortalClient fits). */
export interface ActivityRestClient {
  call<T = unknown>(method: string, params?: Record<string, unknown>, opts?: { idempotent?: boolean }): Promise<T>;
}

/** The activity our add created for this approval, found by the originId we gave it; null when none. */
export async function findActivityOf(client: ActivityRestClient, approvalId: string): Promise<number | null> {
  const rows = await client.call<{ ID: string | number }[]>('crm.activity.list', {
    filter: { ORIGINATOR_ID, ORIGIN_ID: approvalId, PROVIDER_ID: 'CONFIGURABLE_REST_APP' },
    select: ['ID'],
  });
  const id = Number(rows?.[0]?.ID);
  return Number.isInteger(id) && id > 0 ? id : null;
}

/** A failed call whose outcome is unknown (timeout, 5xx after sending): the portal may have created it. */
const maybeApplied = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { maybeApplied?: unknown }).maybeApplied === true;

/** crm.activity.configurable.add of the approval's card, never retried blindly; a lost answer is resolved by originId. */
export async function addApprovalActivity(
  client: ActivityRestClient,
  row: { id: string; ownerTypeId: number; ownerId: number },
  payload: ActivityPayload,
): Promise<number> {
  try {
    const result = await client.call<{ activity: { id: number } }>(
      'crm.activity.configurable.add',
      {
        ownerTypeId: row.ownerTypeId,
        ownerId: row.ownerId,
        fields: { ...payload.fields, originatorId: ORIGINATOR_ID, originId: row.id },
        layout: payload.layout,
      },
      { idempotent: false },
    );
    return Number(result.activity.id);
  } catch (e) {
    const found = maybeApplied(e) ? await findActivityOf(client, row.id).catch(() => null) : null;
    if (found === null) throw e;
    return found;
  }
}
