import type { EmulatorState } from './state/emulator-state.js';
import type { EmulatorSettings } from './state/model.js';

export interface Logger {
  info(...a: unknown[]): void;
  warn(...a: unknown[]): void;
}

/** What every emulator service receives: state, switches, clock, its own URLs, and the async-work tracker. */
/** Where the emulator reads the time: token expiry, limits, locks, event `ts`, log timestamps. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * The emulator's clock: a base (the system clock, or one a test passes in) plus an offset the control API
 * moves forward (`POST /_emulator/clock {advanceMs}`), so tests skip waits instead of sleeping through them.
 */
export class EmulatorClock implements Clock {
  private offset = 0;

  constructor(private readonly base: Clock = systemClock) {}

  now(): number {
    return this.base.now() + this.offset;
  }

  advance(ms: number): void {
    this.offset += ms;
  }

  get offsetMs(): number {
    return this.offset;
  }

  reset(): void {
    this.offset = 0;
  }
}

export interface EmulatorContext {
  state: EmulatorState;
  settings: EmulatorSettings;
  logger: Logger;
  host: string;
  /** base URL of the main listener (OAuth server, control API, UI), no trailing slash */
  mainUrl: string;
  clock: EmulatorClock;
  /** the clock's time (ms); every service reads time here, never Date.now() */
  now(): number;
  /** tracks deliveries in flight so tests (and `idle`) can wait for them */
  pending: Set<Promise<unknown>>;
}

export function oauthServerEndpoint(ctx: EmulatorContext): string {
  return `${ctx.mainUrl}/rest/`;
}

/** The OAuth host as the token response's `domain` shows it (host[:port]). */
export function oauthDomain(ctx: EmulatorContext): string {
  return new URL(ctx.mainUrl).host;
}

export function track<T>(ctx: EmulatorContext, p: Promise<T>): Promise<T> {
  ctx.pending.add(p);
  const done = () => ctx.pending.delete(p);
  p.then(done, done);
  return p;
}

export async function waitIdle(ctx: EmulatorContext, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (ctx.pending.size > 0) {
    if (Date.now() > deadline) return false;
    await Promise.race([Promise.allSettled([...ctx.pending]), new Promise((r) => setTimeout(r, 50))]);
  }
  return true;
}
