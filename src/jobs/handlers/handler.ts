import type { EgressFetch } from '../../egress/egress-fetch';
import type { RunErrorKind } from '../events/run.events';

/** Why a handler's signal fired. */
export type AbortReason = 'timeout' | 'cancel' | 'shutdown';

export interface HandlerContext {
  readonly runId: string;
  readonly job: string;
  readonly attempt: number;
  readonly params: Record<string, unknown>;
  readonly signal: AbortSignal;
  readonly logTailBytes: number;
  readonly killGraceMs: number;
  /** Outbound HTTP through the egress policy (http handlers). */
  readonly fetch: EgressFetch;
}

export interface HandlerResult {
  readonly ok: boolean;
  readonly exitCode: number | null;
  readonly logTail: string;
  readonly error: string | null;
  /** Set when the failure has a kind the run rules act on (see RunErrorKind). */
  readonly errorKind?: RunErrorKind;
}

export type RunHandler = (ctx: HandlerContext) => Promise<HandlerResult>;

/** A handler registered in code: resolve = success, throw = failure; honour `signal` to be cancellable. */
export type CodeJobHandler = (params: Record<string, unknown>, signal: AbortSignal, log: (line: string) => void) => Promise<unknown>;
