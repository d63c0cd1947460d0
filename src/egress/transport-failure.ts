import { egressRefusal } from './egress-refused.error';

/**
 * A failed request as the service records it. Messages come from a small fixed set so that error
 * texts never carry remote content and tell little about what answered (a closed port and a
 * filtered one look alike beyond "connection refused" / "connection timed out").
 */
export interface TransportFailure {
  readonly kind: 'blocked_by_policy' | 'http_timeout' | 'network_error';
  readonly message: string;
}

const BY_CODE: ReadonlyArray<[RegExp, TransportFailure]> = [
  [/^ECONNREFUSED$/, { kind: 'network_error', message: 'connection refused' }],
  [/^(ECONNRESET|EPIPE|ECONNABORTED|UND_ERR_SOCKET|UND_ERR_CLOSED)$/, { kind: 'network_error', message: 'connection reset' }],
  [/^(ENOTFOUND|EAI_AGAIN|EAI_FAIL|EAI_NODATA|EAI_NONAME|ENODATA|ESERVFAIL)$/, { kind: 'network_error', message: 'dns lookup failed' }],
  [/^(EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN|EADDRNOTAVAIL)$/, { kind: 'network_error', message: 'host unreachable' }],
  [/^(ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT)$/, { kind: 'network_error', message: 'connection timed out' }],
  [/^(UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT)$/, { kind: 'http_timeout', message: 'response timed out' }],
  [/^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL_)/, { kind: 'network_error', message: 'tls error' }],
  [/^UND_ERR_RES_EXCEEDED_MAX_SIZE$/, { kind: 'network_error', message: 'response too large' }],
  [/^(HPE_|UND_ERR_(REQ|RES)_CONTENT_LENGTH_MISMATCH$)/, { kind: 'network_error', message: 'invalid http response' }],
];

/** Error codes along the cause chain; undici's HTTP parser errors may have none, only their name. */
function codes(err: unknown): string[] {
  const out: string[] = [];
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (typeof code === 'string') out.push(code);
    else if (name === 'HTTPParserError') out.push('HPE_');
  }
  return out;
}

const messages = (err: unknown): string[] => {
  const out: string[] = [];
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) out.push(String((e as { message?: unknown }).message ?? ''));
  return out;
};

/** Maps any error of an outbound request to its kind and a fixed message. */
export function describeTransportFailure(err: unknown): TransportFailure {
  const refusal = egressRefusal(err);
  if (refusal) return { kind: 'blocked_by_policy', message: refusal.message };
  for (const code of codes(err)) {
    for (const [pattern, failure] of BY_CODE) if (pattern.test(code)) return failure;
  }
  // undici names a redirect loop only in its message (fetch: "redirect count exceeded"; request's redirect interceptor: "max redirects").
  if (messages(err).some((m) => /redirect count exceeded|^max redirects$/i.test(m))) return { kind: 'network_error', message: 'too many redirects' };
  return { kind: 'network_error', message: 'request failed' };
}
