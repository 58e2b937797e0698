import { AppError } from '@b24app/core';

/**
 * Which hosts we talk to on a portal's behalf. Checked before ANY outbound call, so a forged
 * install cannot make us send requests to an address of the attacker's choosing (SSRF).
 */
export interface HostPolicy {
  /** Validates an OAuth server endpoint (`server_endpoint`) and returns it normalised. */
  oauthEndpoint(url: string): URL;
  /** Validates a portal REST endpoint (`client_endpoint`, or built from DOMAIN) and returns it normalised. */
  portalEndpoint(url: string): URL;
}

export function createHostPolicy(opts: {
  oauthHosts: string[];
  portalHosts: string[];
  allowHttp: boolean;
}): HostPolicy {
  const check = (raw: string, allowed: string[], what: string): URL => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new AppError('UNTRUSTED_HOST', `${what} is not a valid URL`);
    }
    if (url.protocol !== 'https:' && !(opts.allowHttp && url.protocol === 'http:')) {
      throw new AppError('UNTRUSTED_HOST', `${what} must use https`);
    }
    if (url.username || url.password) throw new AppError('UNTRUSTED_HOST', `${what} must not carry credentials`);
    if (!allowed.some((pattern) => hostMatches(pattern, url))) {
      throw new AppError('UNTRUSTED_HOST', `${what} host ${url.host} is not allowed`);
    }
    return url;
  };
  return {
    oauthEndpoint: (url) => check(url, opts.oauthHosts, 'server_endpoint'),
    portalEndpoint: (url) => check(url, opts.portalHosts, 'portal endpoint'),
  };
}

/** `host`, `host:port`, `host:*` (any port), `*.domain` (any subdomain, default port). */
export function hostMatches(pattern: string, url: URL): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port; // '' for the scheme's default port
  const [pHost, pPort] = splitPattern(pattern.toLowerCase());
  if (pPort === undefined ? port !== '' : pPort !== '*' && pPort !== port) return false;
  if (pHost.startsWith('*.')) {
    const suffix = pHost.slice(1); // ".domain"
    return host.endsWith(suffix) && host.length > suffix.length && !host.slice(0, -suffix.length).includes('..');
  }
  return host === pHost;
}

function splitPattern(p: string): [string, string | undefined] {
  const colon = p.lastIndexOf(':');
  return colon < 0 ? [p, undefined] : [p.slice(0, colon), p.slice(colon + 1)];
}
