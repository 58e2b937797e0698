import { AjaxError, SdkError } from '@bitrix24/b24jssdk';
import { describe, expect, it } from 'vitest';
import { Bitrix24Error, kindOf, restError, safeDescription } from './bitrix24-errors.js';
import { fromResultErrors, fromSdkError } from './sdk-error-mapping.js';

describe('kindOf: the documented error table', () => {
  it.each([
    ['QUERY_LIMIT_EXCEEDED', 503, 'RATE_LIMITED'],
    ['OPERATION_TIME_LIMIT', 429, 'RATE_LIMITED'],
    ['expired_token', 401, 'TOKEN_REVOKED'],
    ['invalid_grant', 400, 'TOKEN_REVOKED'],
    ['NO_AUTH_FOUND', 401, 'TOKEN_REVOKED'],
    ['NOT_FOUND', 400, 'NOT_FOUND'],
    ['ERROR_METHOD_NOT_FOUND', 404, 'NOT_FOUND'],
    ['ACCESS_DENIED', 403, 'ACCESS_DENIED'],
    ['insufficient_scope', 401, 'ACCESS_DENIED'],
    ['ERROR_WRONG_CONTEXT', 400, 'ACCESS_DENIED'],
    ['ERROR_WRONG_APPLICATION', 400, 'ACCESS_DENIED'],
    ['WRONG_FIELD_VALUE', 400, 'VALIDATION'],
    ['100', 400, 'VALIDATION'],
    ['ERROR_EMPTY_LAYOUT', 400, 'VALIDATION'],
    ['INTERNAL_SERVER_ERROR', 500, 'TRANSIENT'],
    ['REQUEST_TIMEOUT', 408, 'TRANSIENT'],
    ['PORTAL_DELETED', 403, 'PORTAL_UNAVAILABLE'],
    ['OVERLOAD_LIMIT', 503, 'PORTAL_UNAVAILABLE'],
  ] as const)('%s (HTTP %i) → %s', (code, status, kind) => {
    expect(kindOf(code, status)).toBe(kind);
  });

  it.each([
    [undefined, 502, 'TRANSIENT'],
    ['SOMETHING_NEW', 503, 'TRANSIENT'],
    ['SOMETHING_NEW', 0, 'TRANSIENT'],
    ['SOMETHING_NEW', 401, 'TOKEN_REVOKED'],
    ['SOMETHING_NEW', 403, 'ACCESS_DENIED'],
    ['SOMETHING_NEW', 404, 'NOT_FOUND'],
    ['SOMETHING_NEW', 429, 'RATE_LIMITED'],
    ['SOMETHING_NEW', 400, 'VALIDATION'],
  ] as const)('unknown code %s falls back on HTTP %i → %s', (code, status, kind) => {
    expect(kindOf(code, status)).toBe(kind);
  });
});

describe('error text never carries a token', () => {
  const token = '076a0769007d83b20058f18a0000000100000694f171445612e564746d04afebba973e';

  it('masks long token-shaped runs in portal descriptions', () => {
    expect(safeDescription(`bad token ${token} given`)).toBe('bad token [redacted] given');
    const err = restError({
      method: 'crm.deal.get',
      code: 'WRONG_FIELD_VALUE',
      status: 400,
      description: `x ${token}`,
    });
    expect(err.message).not.toContain(token);
    expect(JSON.stringify(err)).not.toContain(token);
  });

  it('drops the SDK error request data and its hidden original error', () => {
    const sdkErr = new AjaxError({
      code: 'ACCESS_DENIED',
      description: 'Access denied',
      status: 403,
      requestInfo: { method: 'crm.deal.get', params: { id: 1, auth: token }, requestId: 'r' },
      originalError: new Error(`request body auth=${token}`),
    });
    const mapped = fromSdkError(sdkErr, 'crm.deal.get', true);
    expect(mapped).toBeInstanceOf(Bitrix24Error);
    expect(mapped.kind).toBe('ACCESS_DENIED');
    expect(mapped.status).toBe(403);
    const everything = JSON.stringify({ ...mapped, json: mapped, message: mapped.message, stack: mapped.stack });
    expect(everything).not.toContain(token);
    expect(Object.keys(mapped)).not.toContain('originalError');
  });
});

describe('fromSdkError', () => {
  it('unwraps our own error that the SDK wrapped as JSSDK_UNKNOWN_ERROR, attributing it to the call', () => {
    const ours = new Bitrix24Error({
      kind: 'TOKEN_REVOKED',
      method: 'oauth.token',
      b24Code: 'invalid_grant',
      message: 'x',
    });
    const wrapped = new SdkError({ code: 'JSSDK_UNKNOWN_ERROR', description: 'x', status: 0, originalError: ours });
    const mapped = fromSdkError(wrapped, 'crm.activity.configurable.update', true);
    expect(mapped.kind).toBe('TOKEN_REVOKED');
    expect(mapped.b24Code).toBe('invalid_grant');
    expect(mapped.method).toBe('crm.activity.configurable.update');
  });

  it('marks a transient failure of a non-idempotent call as maybe applied, but not a refused connection', () => {
    const timeout = new AjaxError({ code: 'REQUEST_TIMEOUT', description: 't', status: 408 });
    expect(fromSdkError(timeout, 'crm.activity.configurable.add', false).maybeApplied).toBe(true);
    expect(fromSdkError(timeout, 'crm.activity.configurable.get', true).maybeApplied).toBe(false);
    const refused = new AjaxError({ code: 'ECONNREFUSED', description: 'r', status: 0 });
    const mapped = fromSdkError(refused, 'crm.activity.configurable.add', false);
    expect(mapped.kind).toBe('TRANSIENT');
    expect(mapped.maybeApplied).toBe(false);
  });

  it('maps a soft error returned in a result with the HTTP status of the answer', () => {
    const soft = new AjaxError({ code: 'ERROR_ENTITY_NOT_FOUND', description: 'Not found', status: 0 });
    const mapped = fromResultErrors([soft], 'crm.item.get', true, 400);
    expect(mapped.kind).toBe('NOT_FOUND');
    expect(mapped.status).toBe(400);
  });

  it('turns foreign throwables into a TRANSIENT error without their message', () => {
    const mapped = fromSdkError(new TypeError('secret stuff'), 'x.get', true);
    expect(mapped.kind).toBe('TRANSIENT');
    expect(mapped.message).not.toContain('secret');
  });
});
