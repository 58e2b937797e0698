/**
 * `bizproc_event`: answers the robot run that made the approval, so the automation continues on its approved or
 * rejected branch: bizproc.event.send with the run's event_token and the return values of the contract
 * (`decision` approved | rejected, `decidedBy` user_<id>, `comment`).
 *
 * Bitrix24 refuses a token whose run is finished: timed out, stopped, or already answered. After an attempt whose
 * answer was lost (in doubt), the refusal means that attempt's send landed: delivered. Otherwise the run is gone
 * and the delivery ends, with the reason kept on the approval's delivery.
 */
import type { TokenCipher } from '@b24app/core';
import type { RobotRunsRepository } from '@b24app/db';
import { isBitrix24Error } from '@b24app/bitrix24';
import type { DeliveryHandler } from '../delivery-handler.js';

export function bizprocEventHandler(deps: {
  runs: Pick<RobotRunsRepository, 'runOfApproval'>;
  cipher: Pick<TokenCipher, 'decrypt'>;
}): DeliveryHandler {
  return {
    kind: 'bizproc_event',
    async deliver({ approval, inDoubt, client }) {
      if (approval.state === 'PENDING') return { failed: 'not_decided', error: 'the approval is not decided' };
      const run = await deps.runs.runOfApproval(approval.id);
      if (!run) return { failed: 'run_gone', error: 'the robot run of this approval is no longer recorded' };
      let token: string;
      try {
        token = deps.cipher.decrypt(run.eventTokenKeyId, run.eventTokenEnc);
      } catch {
        return { failed: 'token_unreadable', error: 'the run’s event token cannot be opened (its key was retired)' };
      }
      const decision = approval.state === 'APPROVED' ? 'approved' : 'rejected';
      const by = approval.decidedByName ?? (approval.decidedById ? `user ${approval.decidedById}` : 'unknown');
      try {
        await client.call(
          'bizproc.event.send',
          {
            EVENT_TOKEN: token,
            RETURN_VALUES: {
              decision,
              decidedBy: approval.decidedById ? `user_${approval.decidedById}` : '',
              comment: approval.decisionComment ?? '',
            },
            LOG_MESSAGE: `Approval ${decision} by ${by}${approval.decisionComment ? `: ${approval.decisionComment}` : ''}`,
          },
          { idempotent: false },
        );
        return { done: 'sent' };
      } catch (e) {
        if (!isBitrix24Error(e) || e.b24Code !== 'ACCESS_DENIED') throw e;
        if (inDoubt) {
          return {
            done: 'already_delivered',
            note: 'refused after an attempt whose answer was lost: that send landed',
          };
        }
        return {
          failed: 'refused',
          error: 'Bitrix24 refused the run’s event token: the automation timed out or was stopped before the decision',
        };
      }
    },
  };
}
