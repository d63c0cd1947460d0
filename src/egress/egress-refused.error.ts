/**
 * A connection the egress policy refused. It travels as the `cause` of undici's "fetch failed";
 * `egressRefusal()` finds it again. The message names the URL's host and the reason, never the
 * address a name resolved to (that stays in the server log).
 */
export class EgressRefusedError extends Error {
  readonly code = 'EGRESS_REFUSED';

  constructor(
    readonly host: string,
    readonly port: number,
    readonly reason: string,
  ) {
    super(`egress policy refused ${host.includes(':') ? `[${host}]` : host}:${port} (${reason})`);
    this.name = 'EgressRefusedError';
  }
}

/** The refusal somewhere in an error's cause chain, if any. */
export function egressRefusal(err: unknown): EgressRefusedError | null {
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof EgressRefusedError || (e as { code?: unknown }).code === 'EGRESS_REFUSED') return e as EgressRefusedError;
  }
  return null;
}
