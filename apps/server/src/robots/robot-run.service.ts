import { randomUUID } from 'node:crypto';
import { AppError, type Logger, sha256Hex, type TokenCipher, withDeadline } from '@b24app/core';
import type { RecordRunInput, RobotRunsRepository } from '@b24app/db';
import type { ApprovalCreateProducer } from '@b24app/jobs';
import type { ApplicationTokenVerifier } from '../b24/application-token-verifier.js';
import type { FormRecord } from '../b24/bracket-form.js';
import { parseOrThrow } from '../http/validation.js';
import { REQUEST_APPROVAL_ROBOT } from '../install/robot-registration.js';
import { crmOwnerOfDocument } from './robot-document.js';
import { requestApprovalPropertiesSchema, robotCallerSchema, robotRunSchema } from './robot-run.schemas.js';

export interface RobotRunAccepted {
  runId: string;
  approvalId: string;
  duplicate: boolean;
}

export interface RobotRunIntake {
  /** Verifies, records and hands the approval to the creation job; a genuine run it cannot act on is recorded and refused. */
  accept(form: FormRecord, source?: { ip?: string }): Promise<RobotRunAccepted>;
}

/** Why a genuine run is not acted on: a stable reason and what was wrong. */
interface Refusal {
  reason: 'unknown_robot' | 'unsupported_document' | 'invalid_properties';
  message: string;
  issues?: { path: string; message: string }[];
}

const refused = (r: Refusal, duplicate: boolean) =>
  new AppError('ROBOT_RUN_REFUSED', `robot run refused: ${r.message}`, {
    details: { reason: r.reason, duplicate, ...(r.issues ? { issues: r.issues } : {}) },
  });

/**
 * POST /b24/robot's service: a run of the `request_approval` robot. The application token is checked first (in
 * constant time, like every event), then the rest with zod; nothing is recorded for a request that fails either
 * (4xx). A verified run is made durable before we answer (Bitrix24 does not deliver it again on its own): the run
 * and, for a run we can act on, its PENDING approval in one transaction, so the same run delivered twice is one
 * approval. The activity is added later by the creation job (paced by the portal's limit); the enqueue is best
 * effort with a short deadline, the worker's relay picks up what it missed. A genuine run we cannot act on is
 * recorded as REFUSED with its reason, logged, and answered 422.
 */
export function createRobotRunIntake(deps: {
  verifier: Pick<ApplicationTokenVerifier, 'verify'>;
  runs: Pick<RobotRunsRepository, 'record'>;
  producer: Pick<ApprovalCreateProducer, 'enqueue'>;
  /** Seals the event_token (a capability) into the run's row. */
  cipher: Pick<TokenCipher, 'encrypt'>;
  logger: Logger;
  enqueueTimeoutMs?: number;
}): RobotRunIntake {
  const enqueueTimeoutMs = deps.enqueueTimeoutMs ?? 500;

  return {
    async accept(form, source = {}) {
      const caller = parseOrThrow(robotCallerSchema, form, 'robot run');
      const memberId = caller.auth.member_id.toLowerCase();
      const portal = await deps.verifier.verify(memberId, caller.auth.application_token, source);
      if (portal.status === 'UNINSTALLED') throw new AppError('UNAUTHORIZED', 'event authentication failed');
      const run = parseOrThrow(robotRunSchema, form, 'robot run');

      // Genuine from here: what we cannot act on is recorded as refused, not dropped.
      const owner = crmOwnerOfDocument(run.document_id);
      const props = requestApprovalPropertiesSchema.safeParse(run.properties);
      const refusal: Refusal | null =
        run.code !== REQUEST_APPROVAL_ROBOT
          ? { reason: 'unknown_robot', message: `this app has no robot ${JSON.stringify(run.code.slice(0, 64))}` }
          : !owner
            ? {
                reason: 'unsupported_document',
                message: 'the document is not a lead, deal, contact, company or smart-process item',
              }
            : !props.success
              ? {
                  reason: 'invalid_properties',
                  message: props.error.issues.map((i) => `properties.${i.path.join('.')}: ${i.message}`).join('; '),
                  issues: props.error.issues.map((i) => ({
                    path: `properties.${i.path.join('.')}`,
                    message: i.message,
                  })),
                }
              : null;

      const runId = randomUUID();
      const p = props.success ? props.data : null;
      const input: RecordRunInput = {
        id: runId,
        portalId: portal.id,
        eventTokenHash: sha256Hex(run.event_token),
        eventToken: deps.cipher.encrypt(run.event_token),
        workflowId: run.workflow_id ?? null,
        robotCode: run.code,
        documentId: run.document_id,
        ownerTypeId: owner?.ownerTypeId ?? null,
        ownerId: owner?.ownerId ?? null,
        properties: run.properties,
        userId: run.auth.user_id ?? null,
        eventTs: run.ts ?? null,
        state: refusal ? 'REFUSED' : 'ACCEPTED',
        refusal: refusal ? `${refusal.reason}: ${refusal.message}`.slice(0, 1_000) : null,
        approval:
          refusal || !owner || !p
            ? null
            : {
                id: randomUUID(),
                portalId: portal.id,
                ownerTypeId: owner.ownerTypeId,
                ownerId: owner.ownerId,
                title: p.title,
                description: p.description,
                responsibleId: p.approver,
                // the robot's user (AUTH_USER_ID) asks
                requesterId: run.auth.user_id ?? null,
                requesterName: null,
                deadline: p.deadline,
                idempotencyKey: null,
              },
      };
      const recorded = await deps.runs.record(input);
      const log = { memberId, runId: recorded.runId, workflowId: run.workflow_id, duplicate: recorded.duplicate };
      if (recorded.state === 'REFUSED' || !recorded.approvalId) {
        const why: Refusal = refusal ?? {
          reason: 'invalid_properties',
          message: recorded.refusal ?? 'refused earlier',
        };
        deps.logger.warn({ ...log, reason: why.reason, refusal: why.message }, 'robot run refused');
        throw refused(why, recorded.duplicate);
      }
      if (recorded.duplicate) deps.logger.info(log, 'duplicate robot run: its approval is already recorded');
      else deps.logger.info({ ...log, approvalId: recorded.approvalId }, 'robot run recorded');
      await enqueue(recorded.approvalId);
      return { runId: recorded.runId, approvalId: recorded.approvalId, duplicate: recorded.duplicate };
    },
  };

  async function enqueue(approvalId: string): Promise<void> {
    try {
      await withDeadline(deps.producer.enqueue(approvalId), enqueueTimeoutMs);
    } catch (err) {
      // Recorded but not enqueued: the worker's creation relay picks it up. The run is not lost.
      deps.logger.warn({ approvalId, err: { message: (err as Error).message } }, 'approval create deferred to relay');
    }
  }
}
