import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { isAppError } from '@b24app/core';
import {
  type CallbackAddressPolicy,
  checkHost,
  type ResolveHost,
  refusedAddress,
  systemResolve,
} from './callback-address-policy.js';
import { SIGNATURE_HEADER, signCallback } from './callback-signature.js';

export interface CallbackDelivery {
  url: string;
  /** The JSON body, exactly as signed. */
  body: string;
  secret: string;
  /** The delivery's stable id, the receiver's dedupe key (the same on every attempt). */
  eventId: string;
}

export interface CallbackAttempt {
  delivered: boolean;
  /** The receiver's HTTP status, when it answered. */
  status: number | null;
  /** Why it failed, as a stable short code: `timeout`, `refused_address`, `redirect`, `http_503`, `network`… */
  error: string | null;
  durationMs: number;
}

export interface CallbackSenderOptions {
  policy: CallbackAddressPolicy;
  /** Whole attempt, connect to last byte read (default 10 s). */
  timeoutMs?: number;
  /** How much of the receiver's answer we read before hanging up (default 16 KiB): we only need the status. */
  maxResponseBytes?: number;
  resolve?: ResolveHost;
  now?: () => number;
}

/**
 * POSTs one signed callback. The address is checked where the socket connects (the lookup hook), so a host
 * that resolved to a public address when the approval was created and to a private one now (DNS rebinding) is
 * refused. No redirects are followed, the answer is read only up to a bound, and every failure is an answer
 * (never a throw), for the outbox to retry.
 */
export function createCallbackSender(opts: CallbackSenderOptions) {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxBytes = opts.maxResponseBytes ?? 16 * 1024;
  const resolve = opts.resolve ?? systemResolve;
  const now = opts.now ?? Date.now;

  const lookup: LookupFunction = (hostname, options, callback) => {
    checkHost(hostname, opts.policy, resolve).then(
      (addresses) => {
        const family = typeof options === 'object' ? options.family : undefined;
        const usable = addresses.filter((a) => !family || a.family === family);
        if ((options as { all?: boolean }).all) return (callback as (e: null, a: typeof usable) => void)(null, usable);
        const first = usable[0] ?? addresses[0];
        callback(null, first?.address ?? '', first?.family ?? 4);
      },
      (err: unknown) => callback(err as NodeJS.ErrnoException, '', 4),
    );
  };

  return async function send(d: CallbackDelivery): Promise<CallbackAttempt> {
    const started = now();
    const done = (status: number | null, error: string | null): CallbackAttempt => ({
      delivered: error === null,
      status,
      error,
      durationMs: now() - started,
    });
    let url: URL;
    try {
      url = new URL(d.url);
      // An IP literal never reaches the lookup hook: check it here.
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) && refusedAddress(host, opts.policy)) return done(null, 'refused_address');
      if (url.protocol === 'http:' && !opts.policy.allowLoopback) return done(null, 'refused_scheme');
    } catch {
      return done(null, 'bad_url');
    }
    const signature = signCallback(d.secret, d.body, Math.floor(now() / 1000));
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise<CallbackAttempt>((settle) => {
      let settled = false;
      const finish = (status: number | null, error: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        settle(done(status, error));
      };
      const req = lib.request(
        url,
        {
          method: 'POST',
          lookup,
          agent: false,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(d.body),
            'user-agent': 'b24-approvals-callbacks/1',
            [SIGNATURE_HEADER]: signature,
            'X-Approvals-Event-Id': d.eventId,
          },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > maxBytes) {
              res.destroy();
              finish(status, status >= 200 && status < 300 ? null : `http_${status}`);
            }
          });
          res.on('end', () => {
            if (status >= 300 && status < 400) return finish(status, 'redirect');
            finish(status, status >= 200 && status < 300 ? null : `http_${status}`);
          });
          res.on('error', () => finish(status, 'network'));
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        finish(null, 'timeout');
      }, timeoutMs);
      req.on('error', (err) => {
        const refused = isAppError(err) || (err as { code?: string }).code === 'CALLBACK_URL_REFUSED';
        finish(null, refused ? 'refused_address' : 'network');
      });
      req.end(d.body);
    });
  };
}

export type CallbackSender = ReturnType<typeof createCallbackSender>;
