/** Thrown when the portal's shared bucket says "not now": the job is delayed without holding a slot. */
export class RateLimitDelay extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`rate limited, retry in ${retryAfterMs} ms`);
    this.name = 'RateLimitDelay';
  }
}

/** Thrown when an attempt failed transiently and the click must be retried later (BullMQ backoff). */
export class RetryLater extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryLater';
  }
}
