import { describe, expect, it } from 'vitest';
import { extractAuth, redactParams, requestParams } from './request-params.js';

describe('requestParams', () => {
  it('merges the query with a JSON body, body winning', () => {
    expect(requestParams('application/json; charset=utf-8', '{"id":5,"x":"b"}', 'x=a&y=1')).toEqual({
      x: 'b',
      y: '1',
      id: 5,
    });
  });

  it('treats invalid JSON as an empty body', () => {
    expect(requestParams('application/json', '{oops', 'a=1')).toEqual({ a: '1' });
  });

  it('parses form bodies in bracket notation', () => {
    expect(requestParams('application/x-www-form-urlencoded', 'fields%5BNAME%5D=x&id=2', '')).toEqual({
      fields: { NAME: 'x' },
      id: '2',
    });
  });
});

describe('extractAuth', () => {
  it('prefers the Bearer header, then auth, then access_token, and strips them', () => {
    expect(extractAuth({ authorization: 'Bearer H' }, { auth: 'A', access_token: 'T', id: 1 })).toEqual({
      token: 'H',
      params: { id: 1 },
    });
    expect(extractAuth({}, { auth: 'A', access_token: 'T' }).token).toBe('A');
    expect(extractAuth({}, { access_token: 'T' }).token).toBe('T');
    expect(extractAuth({}, { id: 1 }).token).toBeNull();
  });

  it('redacts secrets for the log', () => {
    expect(redactParams({ client_secret: 's', refresh_token: 'r', grant_type: 'refresh_token' })).toEqual({
      client_secret: '***',
      refresh_token: '***',
      grant_type: 'refresh_token',
    });
  });
});
