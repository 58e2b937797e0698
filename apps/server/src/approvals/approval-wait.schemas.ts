import { z } from 'zod';

/** The longest `?wait=` of a read: a long-poll holds a connection, so it is bounded. */
export const MAX_WAIT_MS = 30_000;

/** `10s`, `500ms`, or plain seconds (`10`): what the document shows; `approvalReadQuerySchema` parses it. */
export const waitParamSchema = z
  .string()
  .regex(/^\d{1,6}(ms|s)?$/, 'must be a duration: 10s, 500ms, or a number of seconds')
  .meta({
    description:
      'While the approval is being created (activityId null), wait up to this long for its activity or the ' +
      'creation to fail, then answer: `10s`, `500ms` or seconds; at most 30s. Answers at once otherwise.',
    example: '10s',
  });

const toMs = (v: string): number => (v.endsWith('ms') ? Number(v.slice(0, -2)) : Number(v.replace(/s$/, '')) * 1_000);

export const approvalReadQuerySchema = z.object({
  wait: waitParamSchema.transform(toMs).pipe(z.number().max(MAX_WAIT_MS, 'must be at most 30s')).optional(),
});
