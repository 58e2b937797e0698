import { describe, expect, it } from 'vitest';
import { timelineDedupeKey } from './dedupe-key.js';

const click = {
  memberId: 'a'.repeat(32),
  activityId: 8903,
  actionId: 'approve',
  userId: 7,
  ts: 1_727_018_926,
  params: { approvalId: 'x', blockId: 'time' },
  accessToken: 'token-of-delivery-1',
};

describe('timelineDedupeKey', () => {
  it('is the same for the same delivery, whatever the order of its params', () => {
    expect(timelineDedupeKey(click)).toBe(
      timelineDedupeKey({ ...click, params: { blockId: 'time', approvalId: 'x' } }),
    );
  });

  it('tells apart two clicks of one user within the same second by their delivery tokens', () => {
    expect(timelineDedupeKey(click)).not.toBe(timelineDedupeKey({ ...click, accessToken: 'token-of-delivery-2' }));
  });

  it('differs in each identifying field', () => {
    const base = timelineDedupeKey(click);
    for (const patch of [
      { memberId: 'b'.repeat(32) },
      { activityId: 8904 },
      { actionId: 'reject' },
      { userId: 8 },
      { ts: click.ts + 1 },
      { params: { approvalId: 'y', blockId: 'time' } },
    ]) {
      expect(timelineDedupeKey({ ...click, ...patch })).not.toBe(base);
    }
  });

  it('is a hash: the token is never stored in clear', () => {
    expect(timelineDedupeKey(click)).toMatch(/^[0-9a-f]{64}$/);
  });
});
