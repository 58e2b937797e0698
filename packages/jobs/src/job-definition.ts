import type { JobsOptions } from 'bullmq';
import type { z } from 'zod';

/**
 * A job is a small definition that producers import (queue, name, payload schema, defaults)
 * and a processor that only the worker loads. Payloads carry ids only: never tokens, never
 * whole CRM objects. The worker re-validates every payload it takes off the queue.
 */
export interface JobDefinition<S extends z.ZodType> {
  queue: string;
  name: string;
  schema: S;
  defaults: JobsOptions;
}

export const defineJob = <S extends z.ZodType>(d: JobDefinition<S>): JobDefinition<S> => d;

export type JobPayload<D> = D extends JobDefinition<infer S> ? z.infer<S> : never;
