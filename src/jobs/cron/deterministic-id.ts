import { createHash } from 'node:crypto';

/**
 * A UUID (version-5 layout) derived from a name: every process computes the same run id for the
 * same job tick, so the second enqueue of a tick conflicts on `no_stream` and is dropped.
 */
export function deterministicUuid(name: string): string {
  const h = createHash('sha1').update(`opsledger:${name}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export const tickRunId = (job: string, tick: Date) => deterministicUuid(`tick:${job}@${tick.toISOString()}`);
export const tickMissedEventId = (job: string, tick: Date) => deterministicUuid(`missed:${job}@${tick.toISOString()}`);
export const tickSkippedEventId = (job: string, tick: Date) => deterministicUuid(`skipped:${job}@${tick.toISOString()}`);
