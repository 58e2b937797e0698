/**
 * A decision made on the app page (the approval's details: Reject with its comment, or Approve) goes the way of a
 * click, so there is one path that decides: it is recorded as a `timeline_events` row (source APP_PAGE, the action
 * id, the comment in `params`) by the lifecycle's one writer, enqueued with the one click producer, and the worker
 * applies it once under the card's lease, with the same approver rule and card update as a click on the card.
 *
 * Who decided is proven the same way too: the row carries the session's user token (the frame POST's AUTH_ID,
 * which Bitrix24 vouched for when the page opened), sealed by the token cipher, and the worker shows it to the
 * OAuth server's app.info before applying anything; the session's user id is only the claim, as auth[user_id] is.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AppError, type Logger, type TokenCipher, withDeadline } from '@b24app/core';
import { type Db, sealClickUserAuth, type TimelineEventsRepository } from '@b24app/db';
import type { ClickProducer } from '@b24app/jobs';
import { type DecisionInput, type FormLang, formMessage } from './app-api.schemas.js';
import type { SessionContext } from './app-api.service.js';

export type RecordPageDecision = (
  s: SessionContext,
  approvalId: string,
  input: DecisionInput,
) => Promise<{ eventId: string; duplicate: boolean }>;

const ENQUEUE_TIMEOUT_MS = 500;

export function createPageDecisionRecorder(deps: {
  db: Db;
  clicks: Pick<TimelineEventsRepository, 'record' | 'markEnqueued'>;
  producer: Pick<ClickProducer, 'enqueue'>;
  cipher: Pick<TokenCipher, 'encrypt'>;
  logger: Logger;
}): RecordPageDecision {
  return async (s, approvalId, input) => {
    const approval = await deps.db.approval.findFirst({
      where: { id: approvalId, portalId: s.portalId },
      include: { portal: { select: { settings: { select: { rejectCommentRequired: true } } } } },
    });
    if (!approval) throw new AppError('NOT_FOUND', 'No such approval on this portal');
    if (approval.state !== 'PENDING') throw new AppError('CONFLICT', 'This approval is already decided');
    if (approval.activityId === null) {
      throw new AppError('CONFLICT', 'This approval is still being added to the timeline; try again in a moment');
    }
    const comment = input.comment ? input.comment : null;
    if (input.decision === 'reject' && !comment && approval.portal.settings?.rejectCommentRequired) {
      throw new AppError('VALIDATION_FAILED', 'A comment is required to reject', {
        details: [{ path: 'comment', message: formMessage(s.lang as FormLang, 'comment') }],
      });
    }
    // One decision per submit of the form: the same request id again (a retry, a double click) is the same row.
    const dedupeKey = createHash('sha256')
      .update(JSON.stringify(['app_page', s.portalId, approvalId, s.userId, input.decision, input.requestId]))
      .digest('hex');
    const recorded = await deps.clicks.record({
      id: randomUUID(),
      portalId: s.portalId,
      dedupeKey,
      activityId: approval.activityId,
      actionId: input.decision,
      entityTypeId: approval.ownerTypeId,
      entityId: approval.ownerId,
      userId: s.userId,
      params: { approvalId, ...(comment ? { comment } : {}) },
      eventTs: null,
      source: 'APP_PAGE',
      userAuth: sealClickUserAuth(deps.cipher, {
        accessToken: s.userAccessToken,
        expiresAt: s.userTokenExpiresAt * 1000,
      }),
    });
    if (recorded.duplicate) return recorded;
    try {
      await withDeadline(deps.producer.enqueue(recorded.eventId, 'intake'), ENQUEUE_TIMEOUT_MS);
      await deps.clicks.markEnqueued([{ id: recorded.eventId, at: new Date() }]);
    } catch (err) {
      // Recorded, not enqueued: the worker's relay enqueues it, as for a click.
      deps.logger.warn(
        { eventId: recorded.eventId, err: { message: (err as Error).message } },
        'enqueue deferred to relay',
      );
    }
    deps.logger.info(
      { eventId: recorded.eventId, approvalId, decision: input.decision, userId: s.userId },
      'decision requested from the app page',
    );
    return recorded;
  };
}
