import { DomainEvent } from '../../event-store/envelope';

export interface WorkerStartedData {
  readonly workerId: string;
  readonly host: string;
  readonly pid: number;
  readonly mode: string;
  readonly version: string;
  readonly concurrency: number;
  readonly at: string;
}
export interface WorkerStoppedData {
  readonly workerId: string;
  readonly at: string;
  readonly processed: number;
  readonly failed: number;
  readonly released: readonly string[];
}
export interface WorkerReapedData {
  readonly workerId: string;
  readonly at: string;
  readonly lastSeen: string;
  readonly reapedBy: string;
  readonly abandonedRuns: readonly string[];
}

export type WorkerStarted = DomainEvent<'WorkerStarted', WorkerStartedData>;
export type WorkerStopped = DomainEvent<'WorkerStopped', WorkerStoppedData>;
export type WorkerReaped = DomainEvent<'WorkerReaped', WorkerReapedData>;
export type WorkerEvent = WorkerStarted | WorkerStopped | WorkerReaped;

export const workerStream = (id: string) => `worker-${id}`;
