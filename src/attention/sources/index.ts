import type { AttentionSource } from '../attention-source';
import { alertsSource } from './alerts.source';
import { breakersSource } from './breakers.source';
import { deadLettersSource } from './dead-letters.source';
import { failedRunsSource } from './failed-runs.source';
import { jobSlaSource } from './job-sla.source';
import { loopPausesSource } from './loop-pauses.source';
import { maintenanceSource } from './maintenance.source';
import { staleLoopsSource } from './stale-loops.source';
import { subjectPausesSource } from './subject-pauses.source';
import { targetPausesSource } from './target-pauses.source';
import { webhookFailuresSource } from './webhook-failures.source';

/** Every attention source: registering a new one is one line here. */
export const ATTENTION_SOURCES: readonly AttentionSource[] = [
  staleLoopsSource,
  deadLettersSource,
  alertsSource,
  breakersSource,
  jobSlaSource,
  failedRunsSource,
  webhookFailuresSource,
  loopPausesSource,
  targetPausesSource,
  subjectPausesSource,
  maintenanceSource,
];

/** Every kind an item may carry, in the sources' order (the `kind` filter accepts these; `counts` lists each). */
export const ATTENTION_KINDS: readonly string[] = [...new Set(ATTENTION_SOURCES.flatMap((s) => s.kinds))];
