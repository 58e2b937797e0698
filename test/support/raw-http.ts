import { type Agent, request } from 'node:http';

/**
 * POSTs raw bytes with exactly the given headers (fetch would normalise or refuse some), over a
 * keep-alive agent. Resolves with the status as soon as an answer arrives, even if the server then
 * closes the connection before it read the whole body (what it should do with an oversize one).
 */
export type RawOutcome = { status: number; body: string } | { status: 0; error: string };

export function rawPost(
  url: string,
  agent: Agent,
  req: { headers: Record<string, string>; body: Buffer; chunked?: boolean },
  timeoutMs = 10_000,
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (o: RawOutcome) => {
      if (!done) {
        done = true;
        resolve(o);
      }
    };
    const headers: Record<string, string | number> = { ...req.headers };
    if (!req.chunked) headers['content-length'] = req.body.length;
    const r = request(url, { method: 'POST', agent, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => finish({ status: res.statusCode ?? 0, body: '' }));
    });
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.on('error', (e: NodeJS.ErrnoException) => finish({ status: 0, error: e.code ?? e.message }));
    if (req.chunked) {
      for (let i = 0; i < req.body.length; i += 16 * 1024) r.write(req.body.subarray(i, i + 16 * 1024));
      r.end();
    } else {
      r.end(req.body);
    }
  });
}

/** Runs `task` over `items` with at most `concurrency` in flight. */
export async function pool<T, R>(items: T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        out[i] = await task(items[i]!);
      }
    }),
  );
  return out;
}
