import type { FailureCategory, FailureKind } from '../events/poll-outcome.events';
import type { ProbeSpec } from '../events/target-spec';

export type ProbeResult =
  | { readonly ok: true; readonly statusCode: number | null; readonly durationMs: number }
  | {
      readonly ok: false;
      readonly statusCode: number | null;
      readonly durationMs: number;
      readonly failureKind: FailureKind;
      readonly category: FailureCategory;
      readonly message: string;
    };

/** What a probe needs to know about its target. */
export interface ProbeTarget {
  readonly key: string;
  readonly probe: ProbeSpec;
}

/**
 * A probe kind: reach the target, say how it went. Must honour `signal` (aborted at the timeout);
 * a probe that throws is recorded as a transient `network_error`, one that outlives the timeout as
 * `http_timeout`. `durationMs` may be 0: the scheduler measures it.
 */
export type Probe = (target: ProbeTarget, signal: AbortSignal) => Promise<ProbeResult>;
