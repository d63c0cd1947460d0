import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { workerHistoryProjection } from '../../projections/job-workers/worker-history.projection';
import { LoopPauseRow, loopPausesProjection } from '../../projections/loop-pauses/loop-pauses.projection';
import type { MaintenanceRow } from '../../projections/maintenance/maintenance-row';
import { maintenanceProjection } from '../../projections/maintenance/maintenance.projection';
import { RestoreDrillRow, restoreDrillsProjection } from '../../projections/restore-drills/restore-drills.projection';
import { targetsProjection } from '../../projections/targets/targets.projection';
import { pausesProjection } from '../../projections/pauses/pauses.projection';
import type { PauseRow } from '../../projections/pauses/pause-row';
import type { OpsHealthSource } from '../alerts/alert-sources';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { PG_POOL } from '../database/database.module';
import { PointInTime } from '../point-in-time/point-in-time.service';
import { TargetReadModel } from '../polling/target-read-model';
import { inScope } from '../access/tenant-scope';
import { Clock, CLOCK } from '../shared/clock';
import { LOGGER } from '../shared/logger';
import { LoopStateService } from '../database/loop-state.service';
import { loopsAt } from './loops-at';
import type { OpsHealthConfig, OpsHealthFacts } from './ops-health.rules';
import { opsHealthView } from './ops-health.view';
import { SchedulerHealthConfig, schedulerHealthView } from './scheduler-health.view';

/** A body and the instant it describes (the X-Opsledger-As-Of header): `?at=<it>` answers the same. */
export interface AsOf<T> {
  readonly asOf: Date;
  readonly body: T;
}
export type SchedulerHealthBody = ReturnType<typeof schedulerHealthView>;
export type OpsHealthBody = ReturnType<typeof opsHealthView>;

export const schedulerHealthConfig = (config: AppConfig): SchedulerHealthConfig => ({
  adaptiveEnabled: config.polling.adaptiveEnabled,
  maxIntervalMs: config.polling.maxIntervalSeconds * 1000,
  dueWindowSeconds: config.polling.dueWindowSeconds,
});

export const opsHealthConfig = (config: AppConfig): OpsHealthConfig => ({
  staleFactor: config.polling.opsStaleFactor,
  disabledThreshold: config.polling.opsDisabledThreshold,
  stuckAfterMs: config.polling.opsStuckAfterMs,
  stuckMinReady: config.polling.opsStuckMinReady,
  quietHours: config.polling.quietHours,
  quietHoursTz: config.polling.quietHoursTz,
  requireRestoreDrill: config.polling.requireRestoreDrill,
  restoreDrillMaxAgeDays: config.polling.restoreDrillMaxAgeDays,
  maxIntervalMs: config.polling.maxIntervalSeconds * 1000,
});

/**
 * The scheduler-health and ops-health bodies, live (read models + loop heartbeats, now = the
 * clock) or as of a past instant (the same projections folded up to T by PointInTime, loop rows
 * derived from the log, now = T), through the same pure views. `tenant` narrows both to one
 * tenant's targets. Also the alerts' ops-health source, and the one place that notices (and logs)
 * a change of the overall status.
 */
@Injectable()
export class HealthViews implements OpsHealthSource {
  private lastStatus = 'healthy';

  constructor(
    private readonly targets: TargetReadModel,
    private readonly loops: LoopStateService,
    private readonly pit: PointInTime,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    pit.use(targetsProjection, restoreDrillsProjection, workerHistoryProjection, loopPausesProjection, maintenanceProjection, pausesProjection);
  }

  async scheduler(at: Date | null, tenant: string | null): Promise<AsOf<SchedulerHealthBody>> {
    const cfg = schedulerHealthConfig(this.config);
    if (at)
      return {
        asOf: at,
        body: schedulerHealthView(
          [...(await this.pit.rowsAt(targetsProjection, at)).values()].filter((t) => inScope(tenant, t.spec.tenant)),
          at,
          cfg,
        ),
      };
    const now = this.clock.now();
    return { asOf: now, body: schedulerHealthView(await this.targets.all(tenant), now, cfg) };
  }

  /**
   * What ops health judges, as of `at` (null: live): the targets of the caller's tenant, the loop
   * rows (heartbeats live, derived from the log at `at`: the loops are shared by every tenant, so
   * they come from all targets), the restore drills, the operators' loop pauses and the tenants' maintenance windows.
   */
  async facts(
    at: Date | null,
    tenant: string | null,
  ): Promise<AsOf<OpsHealthFacts & { readonly drills: RestoreDrillRow[]; readonly maintenance: MaintenanceRow[]; readonly subjectPauses: PauseRow[] }>> {
    if (at) {
      const [targets, workers, drills, pauses, maintenance, held] = await Promise.all([
        this.pit.rowsAt(targetsProjection, at),
        this.pit.rowsAt(workerHistoryProjection, at),
        this.pit.rowsAt(restoreDrillsProjection, at),
        this.pit.rowsAt(loopPausesProjection, at),
        this.pit.rowsAt(maintenanceProjection, at),
        this.pit.rowsAt(pausesProjection, at),
      ]);
      const all = [...targets.values()];
      const p = this.config.polling;
      const j = this.config.jobs;
      const loops = loopsAt(all, [...workers.values()], at, {
        schedulerEnabled: p.schedulerEnabled,
        schedulerReportMs: p.reportMs,
        quietHours: p.quietHours,
        quietHoursTz: p.quietHoursTz,
        workerHeartbeatMs: j.workerHeartbeatMs,
        cronTickMs: j.cronTickMs,
        janitorIntervalMs: j.janitorIntervalMs,
      });
      return {
        asOf: at,
        body: {
          targets: all.filter((t) => inScope(tenant, t.spec.tenant)),
          loops,
          drills: [...drills.values()],
          pauses: [...pauses.values()],
          maintenance: [...maintenance.values()].filter((m) => inScope(tenant, m.tenant)),
          subjectPauses: [...held.values()].filter((r) => inScope(tenant, r.tenant)),
        },
      };
    }
    const now = this.clock.now();
    const [targets, loops, drills, pauses, maintenance, held] = await Promise.all([
      this.targets.all(tenant),
      this.loops.list(),
      this.pool.query<{ doc: RestoreDrillRow }>('SELECT doc FROM rm_restore_drills'),
      this.pool.query<{ doc: LoopPauseRow }>('SELECT doc FROM rm_loop_pauses'),
      this.pool.query<{ doc: MaintenanceRow }>(`SELECT doc FROM rm_maintenance WHERE doc->'window' <> 'null'::jsonb AND ($1::text IS NULL OR key = $1)`, [
        tenant,
      ]),
      this.pool.query<{ doc: PauseRow }>('SELECT doc FROM rm_pauses'),
    ]);
    return {
      asOf: now,
      body: {
        targets,
        loops,
        drills: drills.rows.map((r) => r.doc),
        pauses: pauses.rows.map((r) => r.doc),
        maintenance: maintenance.rows.map((r) => r.doc),
        subjectPauses: held.rows.map((r) => r.doc).filter((r) => inScope(tenant, r.tenant)),
      },
    };
  }

  async ops(at: Date | null, tenant: string | null): Promise<AsOf<OpsHealthBody>> {
    const { asOf, body: f } = await this.facts(at, tenant);
    const body = opsHealthView(f.targets, f.loops, asOf, opsHealthConfig(this.config), f.drills, f.pauses, f.maintenance, f.subjectPauses);
    if (!at && tenant === null) this.noteStatus(body);
    return { asOf, body };
  }

  /** OPS_HEALTH_SOURCE for the alert evaluator (the whole installation, live). */
  async readStatus(): Promise<{ status: string; issues: string[] }> {
    const { body } = await this.ops(null, null);
    return { status: body.status, issues: body.issues };
  }

  /** `health_check.degraded`: logged when the status leaves healthy (or worsens), `health_check.recovered` when it returns; once per change per process. */
  private noteStatus(body: OpsHealthBody): void {
    if (body.status === this.lastStatus) return;
    const previous = this.lastStatus;
    this.lastStatus = body.status;
    if (body.status === 'healthy') this.log.info({ event: 'health_check.recovered', status: body.status, previous }, 'ops health recovered');
    else
      this.log.warn(
        { event: 'health_check.degraded', status: body.status, previous, issues: body.issues },
        `ops health ${body.status}: ${body.issues.join('; ')}`,
      );
  }
}
