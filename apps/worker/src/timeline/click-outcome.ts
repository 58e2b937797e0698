/**
 * Thrown when a job must wait without spending an attempt or holding a worker slot: the portal's shared bucket
 * said "not now", another worker holds the card's lease, or another add of the approval's card is under way.
 * The job is delayed: with `slotOf`, until its place in that portal's admission schedule (click-parking.ts).
 */
export class DelayJob extends Error {
  constructor(
    readonly retryAfterMs: number,
    readonly reason: 'rate_limited' | 'activity_busy' | 'add_in_progress',
    /** The portal (member id) whose bucket slot the job waits for. */
    readonly slotOf?: string,
  ) {
    super(`${reason}, retry in ${retryAfterMs} ms`);
    this.name = 'DelayJob';
  }
}

/** Thrown when an attempt failed transiently and the click must be retried later (BullMQ backoff). */
export class RetryLater extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryLater';
  }
}
