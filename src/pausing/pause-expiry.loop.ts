import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { PauseRow } from '../../projections/pauses/pause-row';
import { systemOperator } from '../audit/operator-context';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DATABASE_URL } from '../database/database.module';
import { LeaderSweepLoop } from '../database/leader-sweep.loop';
import { LoopStateService } from '../database/loop-state.service';
import { Clock, CLOCK } from '../shared/clock';
import { RejectedError } from '../shared/decider';
import { LOGGER } from '../shared/logger';
import { Holds } from './holds.service';
import type { PauseScope } from './pause.events';
import { Pauses } from './pauses.service';

/** Records a target's automatic resume (src/polling registers it: the target's stream is its own). */
export type TargetResumer = (row: PauseRow) => Promise<void>;

/**
 * Records, in one process at a time (a LeaderLock), that pauses with a resumeAt have run out:
 * JobResumed / TenantJobsResumed / TenantTargetsResumed and TargetResumed with `auto: true`, each
 * audited as the system's `<scope>.auto_resume`. Holds of jobs and tenants end at resumeAt without
 * it (every process compares resumeAt with its clock); the record makes the log and the timeline
 * say so, and puts a paused target back on the scheduler's heap.
 */
@Injectable()
export class PauseExpiry extends LeaderSweepLoop<string> {
  private targetResumer: TargetResumer | null = null;

  constructor(
    private readonly holds: Holds,
    private readonly pauses: Pauses,
    loops: LoopStateService,
    @Inject(DATABASE_URL) databaseUrl: string,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) log: Logger,
  ) {
    super({
      name: 'pause-expiry',
      databaseUrl,
      everyMs: config.jobs.pauseExpirySweepMs,
      reportMs: config.core.loopReportMs,
      loops,
      log,
      onError: (err) => log.error({ event: 'pause.expiry_failed', err: String(err) }, 'recording automatic resumes failed'),
    });
  }

  onTargetExpired(resumer: TargetResumer): void {
    this.targetResumer = resumer;
  }

  protected async sweepHere(): Promise<string[]> {
    const now = this.clock.now().getTime();
    const due = (await this.holds.readRows()).filter((r) => r.paused && r.resumeAt !== null && Date.parse(r.resumeAt) <= now);
    const recorded: string[] = [];
    for (const row of due) {
      try {
        if (row.scope === 'target') {
          if (!this.targetResumer) continue;
          await this.targetResumer(row);
        } else {
          const subject = { scope: row.scope as PauseScope, subject: row.subject, ...(row.tenant ? { tenant: row.tenant } : {}) };
          await this.pauses.expire(subject, systemOperator(`pause-expiry-${randomUUID()}`));
        }
        recorded.push(row.key);
      } catch (err) {
        // Resumed or paused again since the read: nothing to record.
        if (!(err instanceof RejectedError && err.rejection.code === 'conflict')) throw err;
      }
    }
    if (recorded.length) await this.holds.refresh();
    return recorded;
  }
}
