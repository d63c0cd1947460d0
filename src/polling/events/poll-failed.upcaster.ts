import { STATUS_CODES } from 'node:http';
import { describeTransportFailure } from '../../egress/transport-failure';
import { registerUpcaster } from '../../event-store/upcasters';

/**
 * PollFailed v2: the message never carries anything the target sent. v1 messages (before the
 * egress policy) could: the value a JSON check found, the first 60 characters of a non-JSON body,
 * the server's reason phrase, the text of a connection error. The log keeps what was stored
 * (append-only); every reader — projections, timeline, what-if — sees the v1 message cut down to
 * what v2 would have said.
 */
export const POLL_FAILED_SCHEMA_VERSION = 2;

interface PollFailedV1 {
  readonly failureKind: string;
  readonly statusCode: number | null;
  readonly message: string;
}

const reason = (status: number) => `${status} ${(STATUS_CODES[status] ?? 'error').toLowerCase()}`;

export function scrubV1Message(d: PollFailedV1): string {
  const m = d.message;
  const json = /^json check failed: (.+?) = [\s\S]*, expected ([\s\S]*)$/.exec(m);
  if (json) return `json check failed: ${json[1]} is not ${json[2]}`;
  if (m.startsWith('response is not JSON: ')) return 'response is not JSON';
  if ((d.failureKind === 'http_4xx' || d.failureKind === 'http_5xx') && d.statusCode) return reason(d.statusCode);
  if (d.failureKind === 'parse_error' && m.startsWith('unexpected status ') && d.statusCode) return `unexpected status ${reason(d.statusCode)}`;
  if (d.failureKind === 'network_error') {
    // The http probe wrote "<code>: <text>" or undici's "fetch failed"; a code-registered probe its own words.
    const code = /^([A-Z][A-Z0-9_]+): /.exec(m);
    if (code) return describeTransportFailure({ code: code[1] }).message;
    if (m === 'fetch failed') return 'request failed';
  }
  return m;
}

registerUpcaster('PollFailed', 1, (data: PollFailedV1) => ({ ...data, message: scrubV1Message(data) }));
