/**
 * Reading a `events_stream_revision_key` violation, whose detail is
 * `Key (stream_id, revision)=(<stream>, <revision>) already exists.`
 */

/** The revision that collided: the stream is at least there. -1n when the detail does not parse. */
export function collidedRevision(detail: string | undefined): bigint {
  const m = /, (\d+)\) already exists/.exec(detail ?? '');
  return m ? BigInt(m[1]) : -1n;
}

/** The stream that collided (stream ids may contain ", ": the revision is the last number). */
export function collidedStream(detail: string | undefined): string | null {
  const m = /^Key \(stream_id, revision\)=\((.*), \d+\) already exists/.exec(detail ?? '');
  return m ? m[1] : null;
}
