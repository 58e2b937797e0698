import { describe, expect, it } from 'vitest';
import { parseBracketForm } from '../b24/bracket-form.js';
import {
  parseDeadline,
  requestApprovalPropertiesSchema,
  robotCallerSchema,
  robotRunSchema,
} from './robot-run.schemas.js';

// A robot run as the automation POSTs it (form-encoded, bracket notation), through the same parser as the route.
const TOKEN = '55c1dc1c3f0d75.78875596|A51601_82584_96831_81132|hsyUws1j4XiwqPqN45eH66CcQtEvpUIP.47dd5d888e8e';
function form(over: Record<string, string> = {}, drop: string[] = []): string {
  const fields: Record<string, string> = {
    workflow_id: '55c1dc1c3f0d75.78875596',
    code: 'request_approval',
    'document_id[0]': 'crm',
    'document_id[1]': 'CCrmDocumentDeal',
    'document_id[2]': 'DEAL_15',
    'document_type[0]': 'crm',
    'document_type[1]': 'CCrmDocumentDeal',
    'document_type[2]': 'DEAL',
    event_token: TOKEN,
    'properties[title]': 'Discount 15%',
    'properties[approver]': 'user_5',
    'properties[deadline]': '10.12.2026 15:30:00',
    use_subscription: 'Y',
    timeout_duration: '0',
    ts: '1764633600',
    'auth[access_token]': 'x'.repeat(40),
    'auth[domain]': 'example.bitrix24.com',
    'auth[server_endpoint]': 'https://oauth.bitrix.info/rest/',
    'auth[client_endpoint]': 'https://example.bitrix24.com/rest/',
    'auth[member_id]': 'a'.repeat(32),
    'auth[user_id]': '1',
    'auth[application_token]': 'b'.repeat(32),
    ...over,
  };
  for (const k of drop) delete fields[k];
  return new URLSearchParams(fields).toString();
}
const parsed = (body: string) => robotRunSchema.safeParse(parseBracketForm(body));

describe('robot run envelope', () => {
  it('reads the run: the document triple, the token, the properties, the robot user', () => {
    const r = parsed(form());
    expect(r.success).toBe(true);
    expect(r.data).toMatchObject({
      event_token: TOKEN,
      code: 'request_approval',
      document_id: ['crm', 'CCrmDocumentDeal', 'DEAL_15'],
      document_type: ['crm', 'CCrmDocumentDeal', 'DEAL'],
      properties: { title: 'Discount 15%', approver: 'user_5', deadline: '10.12.2026 15:30:00' },
      ts: 1764633600,
      auth: { member_id: 'a'.repeat(32), user_id: 1 },
    });
  });

  it('the caller check needs only the portal and its application token', () => {
    expect(robotCallerSchema.safeParse(parseBracketForm(form({}, ['event_token', 'code']))).success).toBe(true);
    expect(robotCallerSchema.safeParse(parseBracketForm(form({}, ['auth[application_token]']))).success).toBe(false);
    expect(robotCallerSchema.safeParse(parseBracketForm(form({ 'auth[member_id]': 'nope' }))).success).toBe(false);
  });

  it('refuses a run without its token, code or a three-part document id', () => {
    for (const body of [
      form({}, ['event_token']),
      form({ event_token: '' }),
      form({}, ['code']),
      form({}, ['document_id[2]']),
      form({ 'document_id[3]': 'x' }),
      form({ ts: '99999999999' }),
      form({ 'auth[user_id]': 'admin' }),
      form({ event_token: 'x'.repeat(1025) }),
    ]) {
      expect(parsed(body).success, body).toBe(false);
    }
    // document_id as a plain string is not a triple either
    expect(
      parsed(form({ document_id: 'DEAL_15' }, ['document_id[0]', 'document_id[1]', 'document_id[2]'])).success,
    ).toBe(false);
  });
});

describe('request_approval properties', () => {
  const props = (p: Record<string, unknown>) => requestApprovalPropertiesSchema.safeParse(p);

  it('takes the approver as user_<id>, an optional description and deadline', () => {
    expect(props({ title: ' Discount ', approver: 'user_5' }).data).toEqual({
      title: 'Discount',
      description: null,
      approver: 5,
      deadline: null,
    });
    expect(
      props({ title: 'T', approver: { 0: 'user_7' }, description: 'why', deadline: '2026-12-10T15:30:00+03:00' }).data,
    ).toEqual({ title: 'T', description: 'why', approver: 7, deadline: new Date('2026-12-10T12:30:00Z') });
  });

  it('names each bad property', () => {
    const issues = (p: Record<string, unknown>) =>
      props(p).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ approver: 'user_5' })).toEqual(['title: Invalid input: expected string, received undefined']);
    expect(issues({ title: '  ', approver: 'user_5' })).toEqual(['title: is required']);
    for (const approver of ['5', 'group_5', 'user_0', 'user_', 'user_99999999999', { 0: 'user_1', 1: 'user_2' }]) {
      expect(issues({ title: 'T', approver })).toEqual(['approver: must be one user (user_<id>)']);
    }
    expect(issues({ title: 'T', approver: 'user_5', deadline: 'tomorrow' })).toEqual([
      'deadline: must be a date and time (ISO 8601 or DD.MM.YYYY HH:MM:SS)',
    ]);
    expect(issues({ title: 'x'.repeat(256), approver: 'user_5' })?.[0]).toMatch(/^title: /);
  });
});

describe('parseDeadline', () => {
  it('reads ISO 8601 and the portal format; without an offset as UTC', () => {
    expect(parseDeadline('2026-12-10T15:30:00Z')).toEqual(new Date('2026-12-10T15:30:00Z'));
    expect(parseDeadline('2026-12-10T15:30:00-0230')).toEqual(new Date('2026-12-10T18:00:00Z'));
    expect(parseDeadline('2026-12-10 15:30')).toEqual(new Date('2026-12-10T15:30:00Z'));
    expect(parseDeadline('2026-12-10')).toEqual(new Date('2026-12-10T00:00:00Z'));
    expect(parseDeadline('10.12.2026 15:30:00')).toEqual(new Date('2026-12-10T15:30:00Z'));
    expect(parseDeadline('10.12.2026')).toEqual(new Date('2026-12-10T00:00:00Z'));
    expect(parseDeadline('  ')).toBeNull();
  });

  it('refuses what is no date', () => {
    for (const s of ['31.02.2026', '2026-13-01', '2026-12-10T25:00', '12/10/2026', 'soon', '2026-12-10T15:30:00+3']) {
      expect(parseDeadline(s), s).toBeUndefined();
    }
  });
});
