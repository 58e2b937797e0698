import http from 'node:http';
import https from 'node:https';

/** Longest answer body read; a bigger one fails the call instead of filling the heap. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Statuses whose Response has no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * The `fetch` of our calls to Bitrix24 (portals, OAuth server), over node:http(s). Node 20's built-in fetch
 * (undici 6) keeps a connection pool per origin in its global agent for the life of the process, sockets
 * closed or not: ≈ 23 KB for every portal ever called (measured; undici's source calls it "a tiny memory
 * leak"), and its first requests compile undici's WebAssembly HTTP parser: ≈ 10 MB more RSS per process.
 * node's http agent forgets a host when its last socket closes.
 *
 * A subset of fetch, enough for form and JSON posts: method, headers, a string / URLSearchParams / bytes
 * body, `signal` (rejects with its reason, as fetch does). Redirects are never followed: a 3xx rejects
 * unless `redirect: 'manual'`. No content decoding (it asks for none). Bodies over 16 MB reject.
 */
export const httpFetch: typeof fetch = (input, init = {}) => {
  if (typeof input !== 'string' && !(input instanceof URL)) {
    return Promise.reject(new TypeError('httpFetch: pass a URL or a string, not a Request'));
  }
  const url = new URL(input);
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const transport = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
  if (!transport) return Promise.reject(new TypeError(`httpFetch: unsupported protocol ${url.protocol}`));

  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => {
    headers[name] = value;
  });
  let body: Buffer | undefined;
  try {
    body = requestBody(init.body, headers);
  } catch (err) {
    return Promise.reject(err);
  }
  if (body) headers['content-length'] = String(body.byteLength);

  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
      reject(err);
    };
    const onAbort = () => fail(signal?.reason);
    const req = transport.request(url, { method: init.method ?? 'GET', headers }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && init.redirect !== 'manual') {
        res.resume();
        return fail(new TypeError(`httpFetch: redirect (${status}) refused`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) return fail(new TypeError('httpFetch: response body too large'));
        chunks.push(chunk);
      });
      res.on('error', (err) => fail(new TypeError('fetch failed', { cause: err })));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        try {
          resolve(
            new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks), {
              status,
              statusText: res.statusMessage ?? '',
              headers: responseHeaders(res.headers),
            }),
          );
        } catch (err) {
          reject(new TypeError('fetch failed', { cause: err }));
        }
      });
    });
    req.on('error', (err) => fail(new TypeError('fetch failed', { cause: err })));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
};

function requestBody(body: RequestInit['body'], headers: Record<string, string>): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    headers['content-type'] ??= 'text/plain;charset=UTF-8';
    return Buffer.from(body);
  }
  if (body instanceof URLSearchParams) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
    return Buffer.from(body.toString());
  }
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError('httpFetch: body must be a string, URLSearchParams or bytes');
}

function responseHeaders(raw: http.IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.append(name, v);
  }
  return out;
}
