import type { TestApp } from '../support/test-app';

/** A browser-like client of one console session: its cookie, its CSRF token, its Origin. */
export interface SessionClient {
  readonly cookie: string;
  readonly csrfToken: string;
  readonly sessionId: string;
  readonly setCookie: string;
  request(
    method: string,
    path: string,
    opts?: { body?: unknown; csrf?: string | null; origin?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
}

export async function signIn(t: TestApp, token: string, headers: Record<string, string> = {}): Promise<SessionClient> {
  const res = await fetch(`${t.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: t.url, ...headers },
    body: JSON.stringify({ token }),
  });
  const body = (await res.json()) as any;
  if (res.status !== 201) throw new Error(`sign-in answered ${res.status}: ${JSON.stringify(body)}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0];
  return {
    cookie,
    setCookie,
    csrfToken: body.csrfToken,
    sessionId: body.sessionId,
    async request(method, path, opts = {}) {
      const h: Record<string, string> = { cookie, ...(opts.headers ?? {}) };
      const csrf = opts.csrf === undefined ? body.csrfToken : opts.csrf;
      if (csrf) h['x-csrf-token'] = csrf;
      const origin = opts.origin === undefined ? t.url : opts.origin;
      if (origin) h.origin = origin;
      if (opts.body !== undefined) h['content-type'] = 'application/json';
      const r = await fetch(t.url + path, { method, headers: h, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
      const text = await r.text();
      let parsed: any = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* keep text */
      }
      return { status: r.status, body: parsed, headers: r.headers };
    },
  };
}

export async function eventCount(t: TestApp): Promise<number> {
  return (await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0].n;
}

export async function eventsOf(t: TestApp, type: string): Promise<Array<{ data: any; metadata: any }>> {
  return (await t.db.pool.query('SELECT data, metadata FROM events WHERE type = $1 ORDER BY position', [type])).rows;
}
