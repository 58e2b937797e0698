import { describe, expect, it } from 'vitest';
import { createHostPolicy, hostMatches } from './host-policy.js';

describe('host policy', () => {
  const policy = createHostPolicy({
    oauthHosts: ['oauth.bitrix.info', 'oauth.bitrix24.tech'],
    portalHosts: ['*.bitrix24.com', '127.0.0.1:*'],
    allowHttp: false,
  });

  it('accepts the documented hosts', () => {
    expect(policy.oauthEndpoint('https://oauth.bitrix.info/rest/').host).toBe('oauth.bitrix.info');
    expect(policy.portalEndpoint('https://example.bitrix24.com/rest/').host).toBe('example.bitrix24.com');
  });

  it('refuses hosts off the lists, look-alikes, http, credentials and garbage', () => {
    expect(() => policy.oauthEndpoint('https://evil.example/rest/')).toThrow(/not allowed/);
    expect(() => policy.oauthEndpoint('https://oauth.bitrix.info.evil.example/rest/')).toThrow(/not allowed/);
    expect(() => policy.oauthEndpoint('https://oauth.bitrix.info:8443/rest/')).toThrow(/not allowed/);
    expect(() => policy.portalEndpoint('https://bitrix24.com/rest/')).toThrow(/not allowed/);
    expect(() => policy.portalEndpoint('https://evilbitrix24.com/rest/')).toThrow(/not allowed/);
    expect(() => policy.portalEndpoint('http://example.bitrix24.com/rest/')).toThrow(/https/);
    expect(() => policy.portalEndpoint('https://u:p@example.bitrix24.com/rest/')).toThrow(/credentials/);
    expect(() => policy.portalEndpoint('not a url')).toThrow(/valid URL/);
    expect(() => policy.portalEndpoint('http://127.0.0.1:4001/rest/')).toThrow(/https/);
  });

  it('allows http only when configured, and port wildcards', () => {
    const local = createHostPolicy({ oauthHosts: ['127.0.0.1:4000'], portalHosts: ['127.0.0.1:*'], allowHttp: true });
    expect(local.portalEndpoint('http://127.0.0.1:41234/rest/').port).toBe('41234');
    expect(local.oauthEndpoint('http://127.0.0.1:4000/rest/').port).toBe('4000');
    expect(() => local.oauthEndpoint('http://127.0.0.1:4001/rest/')).toThrow(/not allowed/);
  });

  it('matches patterns precisely', () => {
    expect(hostMatches('*.bitrix24.com', new URL('https://a.b.bitrix24.com'))).toBe(true);
    expect(hostMatches('*.bitrix24.com', new URL('https://bitrix24.com'))).toBe(false);
    expect(hostMatches('host:443', new URL('https://host:8443'))).toBe(false);
  });
});
