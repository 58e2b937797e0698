/**
 * The page's calls to its own server: the session goes in `Authorization` (no cookies in a cross-site iframe)
 * and is renewed before it lapses while the page is open. Errors keep the server's stable code, its readable
 * message and the field-level details of validation failures.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
  /** Field path → message, for forms. */
  fields(): Record<string, string> {
    const out: Record<string, string> = {};
    if (Array.isArray(this.details)) {
      for (const d of this.details as { path?: string; message?: string }[]) {
        if (d?.path !== undefined && d.message && !(d.path in out)) out[d.path] = d.message;
      }
    }
    return out;
  }
  get b24Code(): string | undefined {
    return (this.details as { b24Code?: string } | null)?.b24Code;
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
  stop(): void;
}

export function createApi(initial: { session: string; expiresAt: number }): Api {
  let session = initial.session;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`/api/app${path}`, {
      method,
      headers: {
        authorization: `Bearer ${session}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json().catch(() => null)) as {
      error?: { code: string; message: string; details?: unknown };
    } | null;
    if (!res.ok) {
      const e = json?.error;
      throw new ApiError(res.status, e?.code ?? 'HTTP_ERROR', e?.message ?? `HTTP ${res.status}`, e?.details);
    }
    return json as T;
  }

  function schedule(expiresAt: number) {
    const ms = Math.max(5_000, (expiresAt * 1000 - Date.now()) * 0.6);
    timer = setTimeout(async () => {
      try {
        const r = await request<{ token: string; expiresAt: number }>('POST', '/session');
        session = r.token;
        if (r.expiresAt > Math.floor(Date.now() / 1000) + 5) schedule(r.expiresAt);
      } catch {
        // The next call says "reopen the app" with the server's message.
      }
    }, ms);
  }
  schedule(initial.expiresAt);

  return {
    get: (path) => request('GET', path),
    send: (method, path, body) => request(method, path, body),
    stop: () => clearTimeout(timer),
  };
}
