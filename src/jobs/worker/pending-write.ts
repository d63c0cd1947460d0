import type { RunStepCommand } from '../run.decider';
import type { HeldRun } from './local-queue';

/** A write waiting for the next group: a result, or a held run given back unstarted. */
export interface PendingWrite {
  readonly run: HeldRun;
  readonly cmd: RunStepCommand;
  readonly kind: 'result' | 'return';
}
