/**
 * The one bounded poll of the test suite: wait for a condition instead of sleeping for a guessed time.
 * Resolves with the condition's first truthy value; rejects (naming what it waited for) after `timeoutMs`.
 */

export interface WaitForOptions {
  timeoutMs?: number;
  stepMs?: number;
  /** what the condition means, for the timeout message */
  what?: string;
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

export async function waitFor<T>(
  cond: () => T | Promise<T>,
  options: WaitForOptions | number = {},
  stepMs?: number,
): Promise<Truthy<T>> {
  const o = typeof options === 'number' ? { timeoutMs: options, stepMs } : options;
  const timeoutMs = o.timeoutMs ?? 15_000;
  const step = o.stepMs ?? 50;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await cond();
    if (value) return value as Truthy<T>;
    if (Date.now() > end) throw new Error(`${o.what ?? 'condition'} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, step));
  }
}
