import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AppError } from '@b24app/core';
import ipaddr from 'ipaddr.js';

/**
 * Which network addresses a decision callback may reach. A callback URL comes from an integration, so without
 * this the worker would POST wherever it is told: the cloud's metadata service, a database on the private
 * network, our own Redis (SSRF). Only public unicast addresses are allowed; loopback only for local use.
 */
export interface CallbackAddressPolicy {
  /** Loopback targets (and plain http to them) are allowed: B24_ALLOW_HTTP outside production. */
  allowLoopback: boolean;
}

/** The policy of a deployment: loopback only with B24_ALLOW_HTTP and never in production. */
export const callbackPolicyOf = (env: { B24_ALLOW_HTTP: boolean; NODE_ENV: string }): CallbackAddressPolicy => ({
  allowLoopback: env.B24_ALLOW_HTTP && env.NODE_ENV !== 'production',
});

/** Resolves a host name to every address it has (injected in tests to play a rebinding DNS server). */
export type ResolveHost = (host: string) => Promise<{ address: string; family: number }[]>;

export const systemResolve: ResolveHost = (host) => dnsLookup(host, { all: true, verbatim: true });

/** The range name ipaddr.js gives an address, IPv4-mapped IPv6 addresses judged as the IPv4 they carry. */
function rangeOf(address: string): string {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range();
}

/** Null when `address` may be called; else why not (a stable, loggable reason without the address). */
export function refusedAddress(address: string, policy: CallbackAddressPolicy): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const range = rangeOf(address);
  if (range === 'unicast') return null;
  if (range === 'loopback' && policy.allowLoopback) return null;
  return `${range} address`;
}

/** Every address of `host` (resolved when it is a name) must be allowed: one private answer refuses the host. */
export async function checkHost(
  host: string,
  policy: CallbackAddressPolicy,
  resolve: ResolveHost = systemResolve,
): Promise<{ address: string; family: number }[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  const addresses = isIP(bare) ? [{ address: bare, family: isIP(bare) }] : await resolveOrRefuse(bare, resolve);
  for (const a of addresses) {
    const why = refusedAddress(a.address, policy);
    if (why) throw new AppError('CALLBACK_URL_REFUSED', `callbackUrl resolves to a ${why}`);
  }
  return addresses;
}

async function resolveOrRefuse(host: string, resolve: ResolveHost) {
  try {
    const all = await resolve(host);
    if (all.length === 0) throw new Error('no address');
    return all;
  } catch {
    throw new AppError('CALLBACK_URL_REFUSED', 'callbackUrl host does not resolve');
  }
}
