import { randomUUID } from 'node:crypto';
import { AppError, type Logger, type TokenCipher, withDeadline } from '@b24app/core';
import { sealClickUserAuth, type TimelineEventsRepository } from '@b24app/db';
import type { ClickProducer } from '@b24app/jobs';
import type { ApplicationTokenVerifier } from '../b24/application-token-verifier.js';
import type { TimelineActionEvent } from '../events/bitrix-event.schemas.js';
import { timelineDedupeKey } from './dedupe-key.js';
import { createEnqueuedMarker } from './enqueued-marker.js';

export interface TimelineIntake {
  accept(event: TimelineActionEvent, source?: { ip?: string }): Promise<{ eventId: string; duplicate: boolean }>;
  /** Writes pending bookkeeping (call on shutdown). */
  flush(): Promise<void>;
}

const SYSTEM_KEYS = new Set(['id', 'entityTypeId', 'entityId', 'activityId', 'userId']);

/**
 * The click path's hot half. Verify → record durably in PostgreSQL → try to enqueue → answer.
 * Bitrix24 never redelivers, so the click must be safe in PostgreSQL before we say 200. The enqueue
 * is best effort with a short deadline: when Redis is slow or down the relay enqueues it later.
 */
export function createTimelineIntake(deps: {
  clicks: TimelineEventsRepository;
  producer: ClickProducer;
  /** Seals the clicking user's token into the row (the worker proves who clicked with it). */
  cipher: Pick<TokenCipher, 'encrypt'>;
  verifier: ApplicationTokenVerifier;
  logger: Logger;
  enqueueTimeoutMs?: number;
}): TimelineIntake {
  const enqueueTimeoutMs = deps.enqueueTimeoutMs ?? 500;
  const marker = createEnqueuedMarker(deps.clicks, deps.logger);

  return {
    async accept(event, source) {
      const memberId = event.auth.member_id.toLowerCase();
      const portal = await deps.verifier.verify(memberId, event.auth.application_token, source);
      if (portal.status === 'UNINSTALLED') throw new AppError('UNAUTHORIZED', 'event authentication failed');

      const { id: actionId, entityTypeId, entityId, activityId, userId: dataUserId, ...rest } = event.data;
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(rest)) if (!SYSTEM_KEYS.has(k) && typeof v === 'string') params[k] = v;
      // auth[user_id] is the clicking user (protocol §3.2); data[userId] only where a portal sends it.
      const userId = event.auth.user_id ?? dataUserId;
      if (userId === undefined) throw new AppError('VALIDATION_FAILED', 'event has no user (auth.user_id)');

      const dedupeKey = timelineDedupeKey({
        memberId,
        activityId,
        actionId,
        userId,
        ts: event.ts,
        params,
        accessToken: event.auth.access_token,
      });
      // One statement on the hot path; the same delivery twice is one row.
      const recorded = await deps.clicks.record({
        id: randomUUID(),
        portalId: portal.id,
        dedupeKey,
        activityId,
        actionId,
        entityTypeId,
        entityId,
        userId,
        params,
        eventTs: event.ts ?? null,
        userAuth: event.auth.access_token
          ? sealClickUserAuth(deps.cipher, {
              accessToken: event.auth.access_token,
              expiresAt: event.auth.expires
                ? event.auth.expires * 1000
                : Date.now() + (event.auth.expires_in ?? 3_600) * 1000,
            })
          : null,
      });
      if (recorded.duplicate) {
        deps.logger.info({ memberId, activityId, actionId }, 'duplicate timeline delivery ignored');
        return recorded;
      }

      await enqueue(recorded.eventId, memberId);
      return recorded;
    },
    flush: () => marker.flush(),
  };

  async function enqueue(eventId: string, memberId: string): Promise<void> {
    try {
      // With the portal: the job is admitted to the portal's REST bucket (waits for its slot, click-producer.ts).
      await withDeadline(deps.producer.enqueue(eventId, 'intake', { memberId }), enqueueTimeoutMs);
      marker.mark(eventId);
    } catch (err) {
      // Recorded but not enqueued: the relay in the worker picks it up. The click is not lost.
      deps.logger.warn({ eventId, err: { message: (err as Error).message } }, 'enqueue deferred to relay');
    }
  }
}
