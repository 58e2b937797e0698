import { describe, expect, it } from 'vitest';
import { refusedAddress } from './callback-address-policy.js';
import { callbackRetryDelayMs, RETRY_WINDOW_MS, withinRetryWindow } from './callback-backoff.js';
import { signCallback, verifyCallbackSignature } from './callback-signature.js';
import { checkCallbackUrl } from './callback-url.js';

const production = { allowLoopback: false };
const local = { allowLoopback: true };
const resolvesTo =
  (...addresses: string[]) =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('callback address policy', () => {
  it.each([
    ['10.0.0.5', 'private'],
    ['172.16.1.1', 'private'],
    ['192.168.0.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'linkLocal'], // the cloud metadata service
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['fd00::1', 'uniqueLocal'],
    ['::ffff:10.0.0.1', 'private'], // IPv4-mapped: judged as the IPv4 it carries
    ['224.0.0.1', 'multicast'],
  ])('refuses %s (%s) in production', (address, range) => {
    expect(refusedAddress(address, production)).toBe(`${range} address`);
  });

  it('allows public unicast addresses, and loopback only when local use allows it', () => {
    expect(refusedAddress('93.184.215.14', production)).toBeNull();
    expect(refusedAddress('2606:2800:21f:cb07:6820:80da:af6b:8b2c', production)).toBeNull();
    expect(refusedAddress('127.0.0.1', local)).toBeNull();
    expect(refusedAddress('10.0.0.1', local)).toBe('private address');
  });
});

describe('checkCallbackUrl (at create)', () => {
  const refused = (p: Promise<unknown>, message: RegExp) =>
    expect(p).rejects.toMatchObject({ code: 'CALLBACK_URL_REFUSED', message: expect.stringMatching(message) });

  it('takes an https URL whose every address is public', async () => {
    const url = await checkCallbackUrl(
      'https://erp.example.com/hooks/approvals',
      production,
      resolvesTo('93.184.215.14'),
    );
    expect(url.hostname).toBe('erp.example.com');
  });

  it('refuses a host with any private answer, an IP literal in a private range, and an unresolvable host', async () => {
    await refused(
      checkCallbackUrl('https://erp.example.com/x', production, resolvesTo('93.184.215.14', '10.1.2.3')),
      /private address/,
    );
    await refused(checkCallbackUrl('https://169.254.169.254/latest/meta-data', production), /linkLocal/);
    await refused(checkCallbackUrl('https://[::1]:8443/x', production), /loopback/);
    await refused(
      checkCallbackUrl('https://nowhere.invalid/x', production, async () => {
        throw new Error('ENOTFOUND');
      }),
      /does not resolve/,
    );
  });

  it('refuses plain http except to loopback in local use, credentials, other schemes and junk', async () => {
    await refused(checkCallbackUrl('http://erp.example.com/x', production, resolvesTo('93.184.215.14')), /https/);
    await refused(checkCallbackUrl('http://erp.example.com/x', local, resolvesTo('93.184.215.14')), /https/);
    await refused(checkCallbackUrl('http://127.0.0.1:9/x', production), /loopback/);
    expect((await checkCallbackUrl('http://127.0.0.1:9/x', local)).port).toBe('9');
    await refused(checkCallbackUrl('https://u:p@erp.example.com/x', production), /credentials/);
    await refused(checkCallbackUrl('ftp://erp.example.com/x', production), /https/);
    await refused(checkCallbackUrl('not a url', production), /not a valid URL/);
    await refused(checkCallbackUrl(`https://e.com/${'a'.repeat(2100)}`, production), /not a valid URL/);
  });
});

describe('callback signature', () => {
  it('signs t.body with HMAC-SHA256 and verifies in constant time, refusing a changed body, secret or old t', () => {
    const body = '{"type":"approval.decided"}';
    const header = signCallback('s3cret', body, 1_800_000_000);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    const at = { nowSeconds: 1_800_000_010 };
    expect(verifyCallbackSignature('s3cret', header, body, at)).toBe(true);
    expect(verifyCallbackSignature('s3cret', header, `${body} `, at)).toBe(false);
    expect(verifyCallbackSignature('other', header, body, at)).toBe(false);
    expect(verifyCallbackSignature('s3cret', header, body, { nowSeconds: 1_800_001_000 })).toBe(false);
    expect(verifyCallbackSignature('s3cret', undefined, body, at)).toBe(false);
    expect(verifyCallbackSignature('s3cret', 't=x,v1=y', body, at)).toBe(false);
  });
});

describe('callback backoff', () => {
  it('doubles from 10 s to a one-hour cap with jitter in the upper half, and retries for more than 24 h', () => {
    expect(callbackRetryDelayMs(1, () => 0)).toBe(5_000);
    expect(callbackRetryDelayMs(1, () => 0.999_999)).toBe(10_000);
    expect(callbackRetryDelayMs(4, () => 0.5)).toBe(60_000);
    expect(callbackRetryDelayMs(30, () => 0.5)).toBe(2_700_000);
    expect(RETRY_WINDOW_MS).toBeGreaterThan(24 * 3_600_000);
    expect(withinRetryWindow(0, 24 * 3_600_000)).toBe(true);
    expect(withinRetryWindow(0, RETRY_WINDOW_MS)).toBe(false);
  });
});
