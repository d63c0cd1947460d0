import { Writable } from 'node:stream';
import { waitFor } from '../support/wait-for';

/** `actual` has every field of `expected` (objects compared field by field, deeply; a RegExp tests a string; a function is a predicate). */
function includes(actual: unknown, expected: unknown): boolean {
  if (expected instanceof RegExp) return typeof actual === 'string' && expected.test(actual);
  if (typeof expected === 'function') return Boolean(expected(actual));
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') return false;
    return Object.entries(expected).every(([k, v]) => includes((actual as Record<string, unknown>)[k], v));
  }
  return actual === expected;
}

export type LogLine = Record<string, unknown> & { level: number; event?: string; msg?: string };

/** A pino destination that keeps every line in memory, parsed, for tests that read the log back. */
export class MemoryLog extends Writable {
  readonly lines: LogLine[] = [];
  private rest = '';

  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    const parts = (this.rest + chunk.toString()).split('\n');
    this.rest = parts.pop() ?? '';
    for (const p of parts) if (p.trim()) this.lines.push(JSON.parse(p));
    done();
  }

  /** Lines of `event` whose fields include `fields` (deeply, as toMatchObject would). */
  find(event: string, fields: Record<string, unknown> = {}): LogLine[] {
    return this.lines.filter((l) => l.event === event && includes(l, fields));
  }

  /** Waits for the first line of `event` with `fields`, and returns it. */
  waitFor(event: string, fields: Record<string, unknown> = {}, timeoutMs = 15_000): Promise<LogLine> {
    return waitFor(`a log line ${event} ${JSON.stringify(fields)}`, () => this.find(event, fields)[0], timeoutMs);
  }
}
