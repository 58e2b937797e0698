/**
 * A kind of decision delivery (a row of the outbox `approval_deliveries`): what one attempt does. The processor
 * (delivery.processor.ts) owns everything around it: claiming the attempt, the portal client, retries with backoff
 * on transient errors and rate limits, giving up, and the row's end. A handler only delivers and says how it went.
 *
 * Adding a kind: its condition in DELIVERY_KINDS (packages/db approval-deliveries.repository.ts), one file here in
 * handlers/ exporting a DeliveryHandler, and one line in handlers/index.ts.
 */
import type { Logger } from '@b24app/core';
import type { Approval, CreatePortal, DeliveryKind, DeliveryRow } from '@b24app/db';
import type { PortalClient } from '@b24app/bitrix24';

export interface DeliveryContext {
  delivery: DeliveryRow;
  /** The decided approval, as stored now. */
  approval: Approval;
  portal: CreatePortal;
  /** The portal's client (its limiter paces every call). */
  client: PortalClient;
  /**
   * An earlier attempt may have reached the recipient: its answer was lost or its worker died mid-call. A
   * recipient that refuses a repeat (an answered robot run) is then already served.
   */
  inDoubt: boolean;
  log: Logger;
}

export type DeliveryResult =
  /**
   * Delivered now (`sent`), or found delivered by an earlier attempt (`already_delivered`, with a note why), or
   * no longer owed (`skipped`, with a note why: e.g. the approval was decided before its approver was told).
   */
  | { done: 'sent' | 'already_delivered' | 'skipped'; note?: string }
  /** Will never be delivered: the reason is logged and kept on the row, shown with the approval. */
  | { failed: string; error: string }
  /** Not this time (the recipient answered non-2xx, timed out, was unreachable): retried per the kind's backoff. */
  | { retry: string };

export interface DeliveryHandler {
  kind: DeliveryKind;
  /** Attempts before the delivery is given up (rate limits do not count); default 30. */
  maxAttempts?: number;
  /**
   * The kind's own retry schedule instead of the processor's doubling and attempt count: the wait after attempt
   * `attempt` (≥ 1), and how long after the decision it keeps retrying before it gives up (a receiver that is
   * down for a day still gets its callback).
   */
  retry?: { delayMs(attempt: number): number; windowMs: number };
  /** Throws for what may succeed later (Bitrix24 errors are classified by the processor). */
  deliver(ctx: DeliveryContext): Promise<DeliveryResult>;
}

export type DeliveryHandlerRegistry = ReadonlyMap<string, DeliveryHandler>;
