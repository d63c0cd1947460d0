import type { SloBurn } from './alert-signals';

/**
 * Where the alert signals come from. Polling and jobs provide these (by token) so the alerts
 * module does not depend on their internals; a missing source reads as "nothing wrong".
 */
export const OPS_HEALTH_SOURCE = Symbol('OPS_HEALTH_SOURCE');
export const QUEUE_SNAPSHOT_SOURCE = Symbol('QUEUE_SNAPSHOT_SOURCE');
export const CRON_PROBLEMS_SOURCE = Symbol('CRON_PROBLEMS_SOURCE');
export const SLO_BURN_SOURCE = Symbol('SLO_BURN_SOURCE');

export interface OpsHealthSource {
  readStatus(now: Date): Promise<{ status: string; issues: string[] }>;
}
export interface QueueSnapshotSource {
  readQueue(now: Date): Promise<{ pending: number; deadLetter: number; oldestReadyAgeSeconds: number | null }>;
}
export interface CronProblemsSource {
  readCronProblems(now: Date): Promise<string[]>;
}
export interface SloBurnSource {
  readSloBurn(now: Date): Promise<SloBurn[]>;
}
