import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '@b24app/core';
import { parseBracketForm } from './bracket-form.js';

// The raw body of protocol §3.3 (tokens shortened).
const CLICK =
  'event=ONCRMTIMELINEITEMACTION&event_handler_id=42&data%5BblockId%5D=time&data%5BmyId%5D=123&data%5BentityTypeId%5D=2&data%5BentityId%5D=15&data%5BactivityId%5D=8903&data%5Bid%5D=confirm&ts=1727018926&auth%5Baccess_token%5D=at&auth%5Bexpires%5D=1727022526&auth%5Bexpires_in%5D=3600&auth%5Bscope%5D=crm&auth%5Bdomain%5D=example.bitrix24.com&auth%5Bserver_endpoint%5D=https%3A%2F%2Foauth.bitrix.info%2Frest%2F&auth%5Bstatus%5D=L&auth%5Bclient_endpoint%5D=https%3A%2F%2Fexample.bitrix24.com%2Frest%2F&auth%5Bmember_id%5D=010b6886ebc205e43ae65000ee00addb&auth%5Buser_id%5D=1&auth%5Bapplication_token%5D=3c6c';

describe('parseBracketForm', () => {
  it('parses the documented ONCRMTIMELINEITEMACTION body', () => {
    const f = parseBracketForm(CLICK);
    expect(f.event).toBe('ONCRMTIMELINEITEMACTION');
    expect({ ...(f.data as object) }).toEqual({
      blockId: 'time',
      myId: '123',
      entityTypeId: '2',
      entityId: '15',
      activityId: '8903',
      id: 'confirm',
    });
    expect((f.auth as Record<string, string>).server_endpoint).toBe('https://oauth.bitrix.info/rest/');
    expect((f.auth as Record<string, string>).member_id).toBe('010b6886ebc205e43ae65000ee00addb');
  });

  it('builds prototype-less objects and refuses pollution attempts', () => {
    const f = parseBracketForm('a[b]=1');
    expect(Object.getPrototypeOf(f)).toBeNull();
    for (const body of [
      '__proto__[x]=1',
      'auth[__proto__][polluted]=1',
      'a[constructor][prototype][x]=1',
      'prototype=1',
    ]) {
      expect(() => parseBracketForm(body)).toThrow(AppError);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects malformed or oversized input with a BAD_REQUEST', () => {
    const bad = [
      'a[b=1',
      'a]b[=1',
      'a[]=1',
      'a[b][c][d][e]=1',
      '%E0%A4%A=1',
      'a=%',
      'a=1&a[b]=2',
      'a[b]=2&a=1',
      `${'k'.repeat(200)}=1`,
      `v=${'x'.repeat(9_000)}`,
      Array.from({ length: 300 }, (_, i) => `k${i}=1`).join('&'),
      '=1',
      'a[b c]=1',
    ];
    for (const body of bad) {
      let err: unknown;
      try {
        parseBracketForm(body);
      } catch (e) {
        err = e;
      }
      expect(err, body).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('BAD_REQUEST');
    }
  });

  it('never throws anything but an AppError, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        try {
          const r = parseBracketForm(s);
          expect(typeof r).toBe('object');
        } catch (e) {
          expect(e).toBeInstanceOf(AppError);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});
