import { describe, expect, it } from 'vitest';
import { decideFailure, type FailureDecision, type FailureFacts } from './failure-decision.js';

const row = (facts: Partial<FailureFacts> & Pick<FailureFacts, 'kind'>): FailureFacts => ({
  finalAttempt: false,
  portalActive: true,
  ...facts,
});

// Every branch of the decision: error kind × attempt × portal state → what the processor does.
const TABLE: [string, FailureFacts, FailureDecision][] = [
  ['activity deleted', row({ kind: 'NOT_FOUND' }), { do: 'done', outcome: 'activity_gone' }],
  [
    'activity deleted, last try',
    row({ kind: 'NOT_FOUND', finalAttempt: true }),
    { do: 'done', outcome: 'activity_gone' },
  ],
  [
    'rate limited with a hint',
    row({ kind: 'RATE_LIMITED', retryAfterMs: 750 }),
    { do: 'delay', ms: 750, reason: 'rate_limited', reserveSlot: true },
  ],
  [
    "a method's operating budget is spent: wait for its reset, no bucket slot",
    row({ kind: 'RATE_LIMITED', b24Code: 'OPERATION_TIME_LIMIT', retryAfterMs: 60_000 }),
    { do: 'delay', ms: 60_000, reason: 'rate_limited', reserveSlot: false },
  ],
  [
    'rate limited on the last try still waits (not an attempt)',
    row({ kind: 'RATE_LIMITED', finalAttempt: true }),
    { do: 'delay', ms: 1_000, reason: 'rate_limited', reserveSlot: true },
  ],
  ['transient', row({ kind: 'TRANSIENT' }), { do: 'retry' }],
  ['transient, last try', row({ kind: 'TRANSIENT', finalAttempt: true }), { do: 'error_state' }],
  ['rejected as invalid', row({ kind: 'VALIDATION', b24Code: 'WRONG_FIELD_VALUE' }), { do: 'error_state' }],
  ['access denied', row({ kind: 'ACCESS_DENIED' }), { do: 'error_state' }],
  ['handler bug', row({ kind: 'UNEXPECTED' }), { do: 'error_state' }],
  ['handler bug, last try', row({ kind: 'UNEXPECTED', finalAttempt: true }), { do: 'error_state' }],
  [
    '401 that survived a resync, portal active',
    row({ kind: 'TOKEN_REVOKED', b24Code: 'invalid_token' }),
    { do: 'retry' },
  ],
  [
    '401 on an active portal, last try',
    row({ kind: 'TOKEN_REVOKED', b24Code: 'invalid_token', finalAttempt: true }),
    { do: 'error_state' },
  ],
  [
    'refresh token revoked (portal marked NEEDS_REINSTALL)',
    row({ kind: 'TOKEN_REVOKED', b24Code: 'invalid_grant', portalActive: false }),
    { do: 'failed', outcome: 'portal_gone' },
  ],
  [
    'OVERLOAD_LIMIT hold on an active portal',
    row({ kind: 'PORTAL_UNAVAILABLE', b24Code: 'OVERLOAD_LIMIT' }),
    { do: 'retry' },
  ],
  [
    'OVERLOAD_LIMIT, last try',
    row({ kind: 'PORTAL_UNAVAILABLE', b24Code: 'OVERLOAD_LIMIT', finalAttempt: true }),
    { do: 'error_state' },
  ],
  [
    'portal deleted',
    row({ kind: 'PORTAL_UNAVAILABLE', b24Code: 'PORTAL_DELETED' }),
    { do: 'failed', outcome: 'portal_gone' },
  ],
  [
    'portal uninstalled meanwhile',
    row({ kind: 'PORTAL_UNAVAILABLE', portalActive: false }),
    { do: 'failed', outcome: 'portal_gone' },
  ],
];

describe('decideFailure', () => {
  it.each(TABLE)('%s', (_name, facts, expected) => {
    expect(decideFailure(facts)).toEqual(expected);
  });

  it('covers every decision', () => {
    const seen = new Set(TABLE.map(([, , d]) => d.do));
    expect([...seen].sort()).toEqual(['delay', 'done', 'error_state', 'failed', 'retry']);
  });
});
