import type {
  AccessTokenRecord,
  AppRecord,
  AuthCodeRecord,
  CallLogEntry,
  DeliveryLogEntry,
  EventBinding,
  FailureRule,
  FrameSession,
  HeldDelivery,
  HoldRule,
  Installation,
  LockRecord,
  Portal,
  RefreshTokenRecord,
} from './model.js';

const LOG_CAP = 20_000;

export interface OAuthStats {
  authorizationCodeGrants: number;
  refreshGrants: number;
  invalidGrant: number;
  invalidClient: number;
  tokensIssued: number;
}

/** Everything the fake Bitrix24 knows, in memory. `clear()` is the control API's reset. */
export class EmulatorState {
  portals = new Map<string, Portal>();
  apps = new Map<string, AppRecord>();
  installations = new Map<string, Installation>();
  bindings: EventBinding[] = [];
  accessTokens = new Map<string, AccessTokenRecord>();
  refreshTokens = new Map<string, RefreshTokenRecord>();
  authCodes = new Map<string, AuthCodeRecord>();
  frameSessions = new Map<string, FrameSession>();
  locks: LockRecord[] = [];
  calls: CallLogEntry[] = [];
  deliveries: DeliveryLogEntry[] = [];
  failures: FailureRule[] = [];
  holds: HoldRule[] = [];
  held: HeldDelivery[] = [];
  oauthStats: OAuthStats = emptyStats();
  seq = emptySeq();

  clear(): void {
    this.portals.clear();
    this.apps.clear();
    this.installations.clear();
    this.bindings = [];
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.authCodes.clear();
    this.frameSessions.clear();
    this.locks = [];
    this.calls = [];
    this.deliveries = [];
    this.failures = [];
    this.holds = [];
    this.held = [];
    this.oauthStats = emptyStats();
    this.seq = emptySeq();
  }

  installation(memberId: string, clientId: string): Installation | undefined {
    return this.installations.get(installationKey(memberId, clientId));
  }

  /** `seq` may be reserved beforehand (a batch reserves its own so sub-calls can point to it). */
  pushCall(entry: Omit<CallLogEntry, 'seq'> & { seq?: number }): CallLogEntry {
    const full = { ...entry, seq: entry.seq ?? ++this.seq.call };
    this.calls.push(full);
    if (this.calls.length > LOG_CAP) this.calls.splice(0, this.calls.length - LOG_CAP);
    return full;
  }

  pushDelivery(entry: Omit<DeliveryLogEntry, 'seq'>): DeliveryLogEntry {
    const full = { seq: ++this.seq.delivery, ...entry };
    this.deliveries.push(full);
    if (this.deliveries.length > LOG_CAP) this.deliveries.splice(0, this.deliveries.length - LOG_CAP);
    return full;
  }
}

export function installationKey(memberId: string, clientId: string): string {
  return `${memberId}|${clientId}`;
}

function emptyStats(): OAuthStats {
  return { authorizationCodeGrants: 0, refreshGrants: 0, invalidGrant: 0, invalidClient: 0, tokensIssued: 0 };
}

function emptySeq() {
  return { portal: 0, app: 0, binding: 0, lock: 0, call: 0, delivery: 0, install: 0, failure: 0, hold: 0, held: 0 };
}
