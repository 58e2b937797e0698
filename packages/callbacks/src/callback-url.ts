import { AppError } from '@b24app/core';
import { type CallbackAddressPolicy, checkHost, type ResolveHost } from './callback-address-policy.js';

const MAX_URL_LENGTH = 2_000;

/**
 * Checks a `callbackUrl` when an approval is created (the worker checks the address again at every delivery,
 * against DNS rebinding): https, or plain http to a loopback address while local use allows loopback; no
 * credentials in the URL; every address the host resolves to public. Throws CALLBACK_URL_REFUSED (a 422).
 */
export async function checkCallbackUrl(
  raw: string,
  policy: CallbackAddressPolicy,
  resolve?: ResolveHost,
): Promise<URL> {
  let url: URL;
  try {
    if (raw.length > MAX_URL_LENGTH) throw new Error('too long');
    url = new URL(raw);
  } catch {
    throw new AppError('CALLBACK_URL_REFUSED', 'callbackUrl is not a valid URL');
  }
  if (url.username || url.password)
    throw new AppError('CALLBACK_URL_REFUSED', 'callbackUrl must not carry credentials');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError('CALLBACK_URL_REFUSED', 'callbackUrl must be https');
  }
  const addresses = await checkHost(url.hostname, policy, resolve);
  if (url.protocol === 'http:') {
    const loopback = addresses.every((a) => /^(127\.|::1$|::ffff:127\.)/.test(a.address));
    if (!policy.allowLoopback || !loopback) throw new AppError('CALLBACK_URL_REFUSED', 'callbackUrl must be https');
  }
  return url;
}
