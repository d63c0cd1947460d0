import { ExpectedRevision } from './envelope';

/** The one error an append raises when the stream is not at the revision the caller expected. */
export class ExpectedVersionConflict extends Error {
  override readonly name = 'ExpectedVersionConflict';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** -1n when the stream does not exist. */
    readonly actual: bigint,
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${actual < 0n ? 'no stream' : String(actual)}`);
  }
}

export function revisionMatches(expected: ExpectedRevision, actual: bigint): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual < 0n;
  if (expected === 'stream_exists') return actual >= 0n;
  return expected === actual;
}
