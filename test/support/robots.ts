import { createHash } from 'node:crypto';
import type { RobotRun } from '@b24app/emulator';
import { apiHeaders, type InstalledPortal, type Stack, waitFor } from './stack.js';

/** The emulator's automation runs our request_approval robot on a CRM item (its handler POST included). */
export async function runApprovalRobot(
  stack: Stack,
  p: InstalledPortal,
  o: { approverId: number; title?: string; entityTypeId?: number; entityId?: number } & Record<string, unknown>,
): Promise<{ run: RobotRun; status: number }> {
  const { approverId, title = 'Discount 15% for ACME', entityTypeId = 2, entityId = p.dealId, ...rest } = o;
  const { run, delivery } = await stack.emu.runRobot(p.memberId, {
    clientId: stack.clientId,
    code: 'request_approval',
    entityTypeId,
    entityId,
    properties: { title, approver: `user_${approverId}`, ...rest },
  });
  return { run, status: delivery.status };
}

/** Our record of an emulator run (found by its event_token's hash, as the handler stores it). */
export async function recordedRun(stack: Stack, run: RobotRun) {
  const hash = createHash('sha256').update(run.eventToken).digest('hex');
  return stack.db.robotRun.findFirst({ where: { eventTokenHash: hash }, include: { approval: true } });
}

/** Waits until the run's approval has its activity on the portal; answers the approval row. */
export async function approvalWithActivity(stack: Stack, run: RobotRun, timeoutMs = 20_000) {
  let found: NonNullable<Awaited<ReturnType<typeof recordedRun>>>['approval'] = null;
  await waitFor(async () => {
    found = (await recordedRun(stack, run))?.approval ?? null;
    return found?.activityId != null;
  }, timeoutMs);
  return found!;
}

export async function approvalApi(stack: Stack, id: string) {
  const res = await fetch(`${stack.serverUrl}/api/v1/approvals/${id}`, { headers: apiHeaders });
  return (await res.json()) as {
    state: string;
    activityId: number | null;
    creation: { state: string; error: string | null } | null;
    deliveries: { kind: string; state: string; attempts: number; outcome: string | null; lastError: string | null }[];
  };
}
