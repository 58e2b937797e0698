/**
 * `p`, or a rejection once `ms` have passed. Used where a durable record already exists and the follow-up (an
 * enqueue) is best effort: past the deadline a relay takes over, so the request is answered instead of waiting on
 * a slow Redis. A late rejection of `p` after the deadline is expected and swallowed.
 */
export function withDeadline<T>(p: Promise<T>, ms: number, what = 'enqueue'): Promise<T> {
  p.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
