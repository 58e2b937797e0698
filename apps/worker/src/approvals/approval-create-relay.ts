/**
 * The creation relay: approvals left to the creation job whose job is gone (the server died or Redis was down
 * between the robot run's insert and its enqueue; a portal was reinstalled after its job gave way) are handed to a
 * job again. The job id is the approval's, so a row whose job still waits, runs or is delayed is a no-op here.
 */
import type { Logger } from '@b24app/core';
import type { ApprovalsRepository } from '@b24app/db';
import type { ApprovalCreateProducer } from '@b24app/jobs';

export function createApprovalCreateRelay(deps: {
  approvals: Pick<ApprovalsRepository, 'unsettledCreates'>;
  producer: Pick<ApprovalCreateProducer, 'enqueueMany'>;
  logger: Logger;
  /** Rows younger than this are still the intake's to enqueue. */
  graceMs?: number;
  batch?: number;
}) {
  const graceMs = deps.graceMs ?? 2_000;
  const limit = deps.batch ?? 200;

  async function runOnce(): Promise<number> {
    const rows = await deps.approvals.unsettledCreates({ graceMs, limit });
    if (rows.length === 0) return 0;
    await deps.producer.enqueueMany(rows.map((r) => r.id));
    deps.logger.debug({ count: rows.length }, 'approval creates handed to their jobs');
    return rows.length;
  }
  return { runOnce };
}
