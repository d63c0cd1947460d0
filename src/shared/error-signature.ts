import { createHash } from 'node:crypto';

/**
 * Error signatures: one short, stable hex per kind of error, whatever the instance details. The
 * text is normalised — the parts that differ between occurrences of one error (URLs, quoted
 * values, UUIDs, timestamps, IP addresses and ports, hex and opaque ids, paths, numbers) become
 * placeholders — and hashed. "connection refused 10.0.0.1:5432 after 3012 ms" and
 * "Connection refused 10.0.0.7:5433 after 15 ms" share one signature (docs/adr/0013).
 *
 * Pure and deterministic: the projections compute it from the events, so a rebuild gives every old
 * failure the same signature. Changing a rule changes signatures: bump the projections that store
 * them (job_runs, poll_failures) so they are recomputed.
 */

/** Only the head of a long error counts (and bounds the work of the rules below). */
export const SIGNATURE_INPUT_MAX = 4096;
/** Hex characters of the signature: 64 bits, enough that two kinds of error do not collide in one installation. */
export const SIGNATURE_LENGTH = 16;
export const SIGNATURE_PATTERN = /^[0-9a-f]{16}$/;

const MONTHS = 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec';

/** In order: a rule sees what the rules before it left. Every pattern is linear (no nested quantifiers over one class). */
const RULES: ReadonlyArray<readonly [RegExp, string | ((m: string, ...g: string[]) => string)]> = [
  // URLs first: they hold hosts, ports, paths and ids the rules below would take apart.
  [/\b[a-z][a-z0-9+.-]{1,15}:\/\/[^\s"'<>()[\]{}]+/gi, '<url>'],
  // Quoted values (the offending value an error names). A single quote counts only outside a word (not "can't").
  [/"[^"\n]{0,300}"/g, '<q>'],
  [/(?<![\p{L}\p{N}])'[^'\n]{0,300}'(?![\p{L}\p{N}])/gu, '<q>'],
  [/`[^`\n]{0,300}`/g, '<q>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  // Timestamps: RFC 3339 / ISO 8601, HTTP dates, bare times of day.
  [/\b\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:z|[+-]\d{2}(?::?\d{2})?)?)?(?![\w:])/gi, '<ts>'],
  [new RegExp(`\\b(?:mon|tue|wed|thu|fri|sat|sun), \\d{1,2} (?:${MONTHS}) \\d{4} \\d{2}:\\d{2}:\\d{2} gmt\\b`, 'gi'), '<ts>'],
  [/\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,9})?\b/g, '<ts>'],
  // IP addresses, with their port when they have one.
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g, (m) => (m.includes(':') ? '<ip>:<port>' : '<ip>')],
  [/\[[0-9a-f:.]{2,45}\](?::\d{1,5})?/gi, (m) => (m.includes(']:') ? '<ip>:<port>' : '<ip>')],
  [/(?<![\w:.])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:.])/gi, (m) => (/^:+$/.test(m) ? m : '<ip>')],
  // Hex: 0x… literals, and runs of 8+ hex digits with both a digit and a letter (digests, object ids).
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>'],
  // Opaque ids: 8+ letters and digits with at least two digits (req_8fK2mX9pQ, job-a1b2c3d4).
  [/(?<![a-z0-9])(?=(?:[a-z]*\d){2})[a-z0-9]{8,}(?![a-z0-9])/gi, '<id>'],
  // Absolute and ./ ../ ~/ paths, and Windows ones.
  [/(?<![\w.~-])(?:~|\.{1,2})?(?:\/[\w.@%+~=-]+)+\/?/g, '<path>'],
  [/\b[a-z]:\\[^\s"'<>|]+/gi, '<path>'],
  // host:port (a name, then a port).
  [/\b([a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*):\d{2,5}\b/gi, '$1:<port>'],
  // Numbers not glued to a word before them (keeps sha256, ipv4, http2; takes 3012ms, -1, 1.5).
  [/(?<![\p{L}\d])[-+]?\d+(?:[.,]\d+)*/gu, '<n>'],
];

/** The normalised form of an error text: what its signature is the hash of. */
export function normaliseError(text: string): string {
  let s = text.slice(0, SIGNATURE_INPUT_MAX);
  for (const [pattern, replacement] of RULES) s = s.replace(pattern, replacement as string);
  return s.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The signature of an error text: the first 16 hex characters of the SHA-256 of its normalised form. */
export function errorSignature(text: string): string {
  return createHash('sha256').update(normaliseError(text)).digest('hex').slice(0, SIGNATURE_LENGTH);
}

/** A failure's error as the signature sees it, and its signature. */
export interface SignedError {
  readonly text: string;
  readonly signature: string;
}

const BARE_EXIT = /^(?:exit code -?\d+|killed by SIG[A-Z0-9]+)$/;
const LAST_LINE_MAX = 500;

/**
 * The text a failed run is signed by. A command job's error is only its exit ("exit code 1"), the
 * same for every way it can fail, so its last non-blank line of output (stderr and stdout share the
 * log tail) is added: that is where a program says why it stopped. Any other error stands alone.
 */
export function runFailureText(error: string | null, logTail: string | null): string | null {
  if (error === null || error.trim() === '') return null;
  if (!BARE_EXIT.test(error) || !logTail) return error;
  const lines = logTail.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    if (line) return `${error}: ${line.slice(0, LAST_LINE_MAX)}`;
  }
  return error;
}

export function signRunFailure(error: string | null, logTail: string | null): SignedError | null {
  const text = runFailureText(error, logTail);
  return text === null ? null : { text, signature: errorSignature(text) };
}
