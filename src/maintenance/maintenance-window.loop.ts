import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AuditRecorder } from '../audit/audit-recorder';
import { systemOperator } from '../audit/operator-context';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DATABASE_URL } from '../database/database.module';
import { LeaderSweepLoop } from '../database/leader-sweep.loop';
import { LoopStateService } from '../database/loop-state.service';
import { Clock, CLOCK } from '../shared/clock';
import { RejectedError } from '../shared/decider';
import { LOGGER } from '../shared/logger';
import { changeMaintenance } from './maintenance.commands';
import { windowPhase } from './maintenance.state';
import { MaintenanceWindows } from './maintenance-windows';

/**
 * Records, in one process at a time, that a scheduled window opened (MaintenanceStarted) or closed
 * (MaintenanceEnded, `window_closed`), audited as the system's maintenance.record: the timeline
 * then shows the period where it happened. Nothing waits for it: the gate, the public status and
 * the holds compare each window with the clock.
 */
@Injectable()
export class MaintenanceWindowLoop extends LeaderSweepLoop<string> {
  constructor(
    private readonly audit: AuditRecorder,
    private readonly windows: MaintenanceWindows,
    loops: LoopStateService,
    @Inject(DATABASE_URL) databaseUrl: string,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) log: Logger,
  ) {
    super({
      name: 'maintenance-window',
      databaseUrl,
      everyMs: config.maintenance.sweepMs,
      reportMs: config.core.loopReportMs,
      loops,
      log,
      onError: (err) => log.error({ event: 'maintenance.record_failed', err: String(err) }, 'recording maintenance windows failed'),
    });
  }

  protected async sweepHere(): Promise<string[]> {
    const now = this.clock.now();
    const due = (await this.windows.load()).filter((r) => {
      const phase = windowPhase(r.window!, now);
      return phase === 'over' || (phase === 'active' && r.window!.openedAt === null);
    });
    const recorded: string[] = [];
    for (const row of due) {
      try {
        await changeMaintenance(
          this.audit,
          systemOperator(`maintenance-window-${randomUUID()}`),
          { action: 'maintenance.record', tenant: row.tenant, reason: `maintenance window of ${row.tenant} opened or closed by its schedule` },
          (at) => ({ kind: 'observe', tenant: row.tenant, now: at }),
          { startsAt: row.window!.startsAt, endsAt: row.window!.endsAt },
          this.clock,
        );
        recorded.push(row.tenant);
      } catch (err) {
        // Changed or ended by an operator since the read (who recorded the facts with it).
        if (!(err instanceof RejectedError && err.rejection.code === 'conflict')) throw err;
      }
    }
    if (recorded.length) await this.windows.refresh();
    return recorded;
  }
}
