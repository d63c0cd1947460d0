/**
 * What a failed attempt keeps of the receiver's answer: at most `maxBytes` of its body, as text,
 * with control characters removed and anything that looks like a credential replaced, so an
 * error page that echoes headers or a stack trace with keys does not end up in the log forever.
 */
const CREDENTIAL_PAIR =
  /\b(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[_-]?key|access[_-]?token|refresh[_-]?token|token|secret|password|passwd|pwd|webhook-signature)("?\s*[:=]\s*"?)([^\s",;&]+)/gi;
const BEARER = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const KNOWN_PREFIXED = /\b(whsec|olt|sk|pk|ghp|xox[abp])_[A-Za-z0-9._+/=-]{8,}/g;
/** Long runs of base64/hex-like characters: keys, signatures, session ids. */
const LONG_OPAQUE = /[A-Za-z0-9+/_=-]{32,}/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export function redactSnippet(text: string): string {
  return text
    .replace(CONTROL, '')
    .replace(BEARER, (_m, scheme: string) => `${scheme} [redacted]`)
    .replace(CREDENTIAL_PAIR, (m, name: string, sep: string, value: string) =>
      value.startsWith('[redacted]') || /^(bearer|basic)$/i.test(value) ? m : `${name}${sep}[redacted]`,
    )
    .replace(KNOWN_PREFIXED, '[redacted]')
    .replace(LONG_OPAQUE, '[redacted]');
}

/** Reads at most `maxBytes` of a body, then lets the rest go; null when there is nothing to keep. */
export async function readSnippet(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string | null> {
  if (!body) return null;
  if (maxBytes === 0) {
    await body.cancel().catch(() => undefined);
    return null;
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    /* a body cut short: keep what arrived */
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  // A multi-byte character cut at the edge decodes as U+FFFD: fine for a snippet.
  const text = Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8').trim();
  return text ? redactSnippet(text) : null;
}
