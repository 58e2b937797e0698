import type { EmulatorContext } from '../emulator-context.js';
import type { AppRecord, Installation, Portal, User } from '../state/model.js';
import type { MethodResult } from './envelope.js';

export type AuthContext =
  | { type: 'oauth'; user: User; app: AppRecord; installation: Installation }
  | { type: 'webhook'; user: User; webhookCode: string };

export interface MethodCall {
  ctx: EmulatorContext;
  portal: Portal;
  auth: AuthContext;
  params: Record<string, unknown>;
  /** seq of the enclosing batch call, for the log */
  parentSeq: number | null;
}

export interface MethodDef {
  /** lower-case method name */
  name: string;
  /** the app scope the method needs (any of them); null = basic, every app */
  scopes: string[] | null;
  /** false for methods that may not run inside batch */
  batchable?: boolean;
  handler(call: MethodCall): MethodResult | Promise<MethodResult>;
}

export type MethodTable = ReadonlyMap<string, MethodDef>;

export function methodTable(...groups: MethodDef[][]): MethodTable {
  const map = new Map<string, MethodDef>();
  for (const def of groups.flat()) map.set(def.name, def);
  return map;
}

/** Returns the caller's app or throws the given error: for methods that only work with OAuth app auth. */
export function requireApp(auth: AuthContext, error: () => Error): { app: AppRecord; installation: Installation } {
  if (auth.type !== 'oauth') throw error();
  return { app: auth.app, installation: auth.installation };
}
