/** The API as the console calls it: same origin, the session cookie, the CSRF token on writes. */

let csrfToken: string | null = null;
const signedOutListeners = new Set<() => void>();

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the API says the session is gone (401): the app shows the sign-in page. */
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { message?: string; fields?: { field: string; problem: string }[] } | null,
  ) {
    super(body?.message ?? `HTTP ${status}`);
  }
}

export interface ApiResult<T> {
  readonly data: T;
  /** X-Opsledger-As-Of: the instant the answer describes (endpoints with ?at=). */
  readonly asOf: string | null;
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { message: text };
  }
  if (!res.ok) {
    if (res.status === 401 && path !== '/api/session') for (const l of signedOutListeners) l();
    throw new ApiError(res.status, parsed as ApiError['body']);
  }
  return { data: parsed as T, asOf: res.headers.get('x-opsledger-as-of') };
}

export const get = <T>(path: string) => call<T>('GET', path);

/** A query string from the defined values only. */
export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
