import { apiHeaders, type Stack, waitFor } from './stack.js';

export async function createApproval(
  stack: Stack,
  body: { memberId: string; ownerId: number; title?: string; ownerTypeId?: number } & Record<string, unknown>,
  idempotencyKey?: string,
): Promise<{ status: number; id: string; activityId: number }> {
  const res = await fetch(`${stack.serverUrl}/api/v1/approvals`, {
    method: 'POST',
    headers: { ...apiHeaders, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    body: JSON.stringify({ ownerTypeId: 2, title: 'Discount 15% for ACME', ...body }),
  });
  const json = (await res.json()) as { id: string; activityId: number | null };
  if (res.status >= 300) throw new Error(`create approval: ${res.status} ${JSON.stringify(json)}`);
  // 202: the creation job adds it; its activity id comes with the long-poll read.
  const activityId = json.activityId ?? (await activityOf(stack, json.id));
  return { status: res.status, id: json.id, activityId };
}

/** The approval's activity id, waiting for the creation job (`?wait=`); fails when its creation failed. */
export async function activityOf(stack: Stack, id: string, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(`${stack.serverUrl}/api/v1/approvals/${id}?wait=10s`, { headers: apiHeaders });
    const a = (await res.json()) as { activityId: number | null; creation: { state: string; error: string } | null };
    if (a.activityId !== null) return a.activityId;
    if (a.creation?.state === 'failed') throw new Error(`approval ${id}: creation failed: ${a.creation.error}`);
  }
  throw new Error(`approval ${id}: no activity within ${timeoutMs} ms`);
}

export async function getApproval(stack: Stack, id: string) {
  const res = await fetch(`${stack.serverUrl}/api/v1/approvals/${id}`, { headers: apiHeaders });
  return (await res.json()) as {
    state: string;
    decidedBy: { id: number; name: string | null } | null;
    clicks: { state: string; outcome: string | null; updatedActivityAt: string | null }[];
  };
}

/** Waits until every click on the activity is finished and the emulator shows no lock on it. */
export async function settled(stack: Stack, memberId: string, activityId: number, clicks: number, timeoutMs = 20_000) {
  await waitFor(async () => {
    const done = await stack.db.timelineEvent.count({
      where: { activityId, portal: { memberId }, state: { in: ['DONE', 'FAILED'] } },
    });
    if (done < clicks) return false;
    const a = await stack.emu.activity(memberId, activityId);
    return !a.locked && a.disabledButtons.length === 0;
  }, timeoutMs);
}

/** Every restEvent action id anywhere in a layout. */
export function restEventIds(layout: unknown): string[] {
  const ids: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'restEvent' && typeof o.id === 'string') ids.push(o.id);
      Object.values(o).forEach(walk);
    }
  };
  walk(layout);
  return ids;
}
