import type { Probe, ProbeResult } from './probe';
import type { FailureCategory, FailureKind } from '../events/poll-outcome.events';

const failure = (failureKind: FailureKind, category: FailureCategory, message: string, statusCode: number | null = null): ProbeResult => ({ ok: false, statusCode, durationMs: 0, failureKind, category, message });

/** 401/403/404 will not fix themselves (credentials, wrong path): permanent. Every other HTTP error may. */
export function classifyStatus(status: number, statusText: string): ProbeResult {
  const message = `${status} ${(statusText || 'error').toLowerCase()}`;
  if (status === 401 || status === 403 || status === 404) return failure('http_4xx', 'permanent', message, status);
  if (status >= 400 && status < 500) return failure('http_4xx', 'transient', message, status);
  if (status >= 500) return failure('http_5xx', 'transient', message, status);
  return failure('parse_error', 'transient', `unexpected status ${message}`, status);
}

/** Reads "a.b.0.c" from a JSON value. */
export function readPath(value: unknown, path: string): unknown {
  let v = value;
  for (const part of path.split('.').filter(Boolean)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function networkMessage(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${cause.code}: ${cause.message ?? ''}`.trim() : (err as Error).message;
}

/** The built-in `http` probe: global fetch, the status it expects (default any 2xx), optional JSON check. */
export const httpProbe: Probe = async (target, signal) => {
  const p = target.probe;
  let url: URL;
  try {
    url = new URL(p.url);
  } catch {
    return failure('invalid_config', 'permanent', `invalid url "${p.url}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return failure('invalid_config', 'permanent', `url must be http(s), got ${url.protocol}`);
  try {
    const res = await fetch(url, { method: p.method ?? 'GET', signal, headers: { accept: 'application/json, */*' } });
    const statusOk = p.expectStatus !== undefined ? res.status === p.expectStatus : res.status >= 200 && res.status < 300;
    if (!statusOk) {
      await res.body?.cancel().catch(() => undefined);
      if (p.expectStatus !== undefined && res.status < 400) return failure('parse_error', 'transient', `expected status ${p.expectStatus}, got ${res.status}`, res.status);
      return classifyStatus(res.status, res.statusText);
    }
    if (!p.jsonCheck) {
      await res.arrayBuffer(); // read the body so the connection is reused and slow bodies count
      return { ok: true, statusCode: res.status, durationMs: 0 };
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return failure('parse_error', 'transient', `response is not JSON: ${text.slice(0, 60)}`, res.status);
    }
    const actual = readPath(body, p.jsonCheck.path);
    if (!sameJson(actual, p.jsonCheck.equals)) {
      return failure('parse_error', 'transient', `json check failed: ${p.jsonCheck.path} = ${JSON.stringify(actual) ?? 'undefined'}, expected ${JSON.stringify(p.jsonCheck.equals)}`, res.status);
    }
    return { ok: true, statusCode: res.status, durationMs: 0 };
  } catch (err) {
    if (signal.aborted) return failure('http_timeout', 'transient', 'timeout');
    return failure('network_error', 'transient', networkMessage(err));
  }
};
