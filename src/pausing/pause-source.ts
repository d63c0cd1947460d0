import { PauseRow, pauseRowHolds } from '../../projections/pauses/pause-row';
import { Hold, HoldSource, HoldSubject, isTargetSubject } from './holds';

const holdOf = (r: PauseRow): Hold => ({
  source: 'pause',
  scope: r.scope,
  subject: r.subject,
  tenant: r.tenant,
  reason: r.reason,
  by: r.pausedBy,
  since: r.pausedAt,
  until: r.resumeAt,
});

/**
 * Operators' pauses as a hold source: a run of a job is held by its job's pause and by its
 * tenant's jobs pause; a target by its own pause and by its tenant's targets pause.
 */
export function pauseSource(rows: ReadonlyMap<string, PauseRow>): HoldSource {
  return {
    name: 'pause',
    holds(subject: HoldSubject, at: Date): Hold[] {
      const keys = isTargetSubject(subject)
        ? [`target:${subject.target}`, subject.tenant === null ? null : `tenant-targets:${subject.tenant}`]
        : [subject.job === null ? null : `job:${subject.job}`, subject.tenant === null ? null : `tenant-jobs:${subject.tenant}`];
      return keys.flatMap((k) => {
        const r = k === null ? undefined : rows.get(k);
        return r && pauseRowHolds(r, at) ? [holdOf(r)] : [];
      });
    },
  };
}
