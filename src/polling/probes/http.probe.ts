import { STATUS_CODES } from 'node:http';
import type { EgressRequest } from '../../egress/egress-fetch';
import { describeTransportFailure } from '../../egress/transport-failure';
import type { FailureCategory, FailureKind } from '../events/poll-outcome.events';
import type { Probe, ProbeResult } from './probe';

const failure = (failureKind: FailureKind, category: FailureCategory, message: string, statusCode: number | null = null): ProbeResult => ({
  ok: false,
  statusCode,
  durationMs: 0,
  failureKind,
  category,
  message,
});

/**
 * 401/403/404 will not fix themselves (credentials, wrong path): permanent. Every other HTTP error
 * may. The message uses the standard reason phrase, never the one the server sent.
 */
export function classifyStatus(status: number): ProbeResult {
  const message = `${status} ${(STATUS_CODES[status] ?? 'error').toLowerCase()}`;
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

/** The media type only, and only when it looks like one: the header is the server's text too. */
function mediaType(header: string | string[] | undefined): string {
  if (Array.isArray(header)) header = header[0];
  const t = (header ?? '').split(';')[0].trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/.test(t) ? t : 'unknown';
}

const clip = (s: string, max = 100) => (s.length > max ? `${s.slice(0, max)}…` : s);

/**
 * What the response was, without its content: status, content type, length. Probe messages end
 * up in events and in the API, so they never carry any of the body (it may be a secret the probe
 * should never have seen).
 */
const shape = (status: number, contentType: string | string[] | undefined, bytes: number) => `(status ${status}, ${mediaType(contentType)}, ${bytes} bytes)`;

/**
 * The built-in `http` probe: a request through the egress policy, the status it expects (default
 * any 2xx), optional JSON check. A JSON check failure names the path and the expected value (the
 * operator's own input), never the value found. It uses undici's `request` (EgressRequest), not
 * fetch: a poll is one small request, and fetch's WHATWG objects and streams were the largest
 * part of a poll's cost (docs/performance.md).
 */
export function createHttpProbe(egressRequest: EgressRequest): Probe {
  return async (target, signal) => {
    const p = target.probe;
    let url: URL;
    try {
      url = new URL(p.url);
    } catch {
      return failure('invalid_config', 'permanent', `invalid url "${p.url}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return failure('invalid_config', 'permanent', `url must be http(s), got ${url.protocol}`);
    try {
      const res = await egressRequest(url, { method: p.method ?? 'GET', signal, headers: { accept: 'application/json, */*' } });
      const status = res.statusCode;
      const statusOk = p.expectStatus !== undefined ? status === p.expectStatus : status >= 200 && status < 300;
      if (!statusOk) {
        await res.body.dump().catch(() => undefined);
        if (p.expectStatus !== undefined && status < 400)
          return failure('parse_error', 'transient', `expected status ${p.expectStatus}, got ${status}`, status);
        return classifyStatus(status);
      }
      if (!p.jsonCheck) {
        await res.body.arrayBuffer(); // read the body so the connection is reused and slow bodies count
        return { ok: true, statusCode: status, durationMs: 0 };
      }
      const bytes = Buffer.from(await res.body.arrayBuffer());
      const seen = shape(status, res.headers['content-type'], bytes.length);
      let body: unknown;
      try {
        body = JSON.parse(bytes.toString('utf8'));
      } catch {
        return failure('parse_error', 'transient', `response is not JSON ${seen}`, status);
      }
      if (!sameJson(readPath(body, p.jsonCheck.path), p.jsonCheck.equals)) {
        return failure(
          'parse_error',
          'transient',
          `json check failed: ${clip(p.jsonCheck.path)} is not ${clip(JSON.stringify(p.jsonCheck.equals) ?? 'undefined')} ${seen}`,
          status,
        );
      }
      return { ok: true, statusCode: status, durationMs: 0 };
    } catch (err) {
      if (signal.aborted) return failure('http_timeout', 'transient', 'timeout');
      const f = describeTransportFailure(err);
      // A refused request is this installation's configuration, not the target's health: see FailureCategory.
      return failure(f.kind, f.kind === 'blocked_by_policy' ? 'config' : 'transient', f.message);
    }
  };
}
