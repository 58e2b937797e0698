import type { EmulatorState } from './state/emulator-state.js';
import type { EmulatorSettings } from './state/model.js';

export interface Logger {
  info(...a: unknown[]): void;
  warn(...a: unknown[]): void;
}

/** What every emulator service receives: state, switches, clock, its own URLs, and the async-work tracker. */
export interface EmulatorContext {
  state: EmulatorState;
  settings: EmulatorSettings;
  logger: Logger;
  host: string;
  /** base URL of the main listener (OAuth server, control API, UI), no trailing slash */
  mainUrl: string;
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
