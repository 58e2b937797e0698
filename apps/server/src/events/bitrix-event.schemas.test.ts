import { describe, expect, it } from 'vitest';
import { timelineActionEventSchema } from './bitrix-event.schemas.js';

// The shape of protocol §3.3, as the bracket-form parser hands it over (strings only).
const event = (data: Record<string, string>, ts = '1727018926') => ({
  event: 'ONCRMTIMELINEITEMACTION',
  data: { entityTypeId: '2', entityId: '15', activityId: '8903', id: 'approve', ...data },
  ts,
  auth: {
    domain: 'example.bitrix24.com',
    server_endpoint: 'https://oauth.bitrix.info/rest/',
    client_endpoint: 'https://example.bitrix24.com/rest/',
    member_id: 'a'.repeat(32),
    application_token: 'b'.repeat(32),
    user_id: '1',
  },
});

describe('timelineActionEventSchema integers', () => {
  it('accepts the largest value an integer column holds', () => {
    const r = timelineActionEventSchema.safeParse(event({ activityId: '2147483647' }, '2147483647'));
    expect(r.success).toBe(true);
  });

  it('refuses ids and timestamps beyond it (they would fail in the database, as a 500)', () => {
    for (const [data, ts] of [
      [{ activityId: '2147483648' }, undefined],
      [{ entityTypeId: '9999999999' }, undefined],
      [{}, '2147483648'],
    ] as const) {
      expect(timelineActionEventSchema.safeParse(event(data, ts)).success).toBe(false);
    }
  });
});
