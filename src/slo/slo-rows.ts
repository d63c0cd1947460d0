import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import type {
  FreshnessRow,
  FreshnessTargetRow,
  MaintenanceSpansRow,
  SchedulerPausesRow,
  SuccessRunsRow,
  TenantPausesRow,
} from '../../projections/slo-freshness/freshness-rows';
import {
  freshnessTargetKey,
  maintenanceKey,
  SCHEDULER_KEY,
  sloFreshnessProjection,
  tenantPausesKey,
} from '../../projections/slo-freshness/slo-freshness.projection';
import { utcDay } from '../../projections/slo-freshness/success-runs';
import { inScope } from '../access/tenant-scope';
import { PG_POOL } from '../database/database.module';
import { PointInTime } from '../point-in-time/point-in-time.service';
import { TargetHistory, targetHistories } from './target-history';

/** Where the rows come from: the live table, or the projection folded up to an instant (`?at=`). */
interface RowSource {
  target(key: string): Promise<FreshnessTargetRow | null>;
  withObjective(tenant: string | null): Promise<FreshnessTargetRow[]>;
  /** Runs rows of these targets from `fromDay` (YYYY-MM-DD) on. */
  runs(keys: readonly string[], fromDay: string): Promise<SuccessRunsRow[]>;
  scheduler(): Promise<SchedulerPausesRow | null>;
  /** Maintenance rows of these tenants (those that ever had a window). */
  maintenance(tenants: readonly string[]): Promise<MaintenanceSpansRow[]>;
  /** Rows of these tenants' pauses of all their targets (those ever paused so). */
  tenantPauses(tenants: readonly string[]): Promise<TenantPausesRow[]>;
}

/**
 * Reads rm_slo_freshness (never the log): only the days a window needs, of only the targets asked
 * about. `?at=` folds the same projection up to the instant (src/point-in-time).
 */
@Injectable()
export class SloRows {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly pit: PointInTime,
  ) {
    pit.use(sloFreshnessProjection);
  }

  /** The target's history from `fromMs` on, if it exists and the caller's tenant may see it. */
  async one(key: string, tenant: string | null, at: Date | null, fromMs: number): Promise<TargetHistory | null> {
    const src = await this.source(at);
    const row = await src.target(key);
    if (!row || !inScope(tenant, row.tenant)) return null;
    return (await this.histories(src, [row], fromMs))[0];
  }

  /** Every target with an objective the caller's tenant may see, with its history from `fromMs` on. */
  async withObjective(tenant: string | null, at: Date | null, fromMs: number): Promise<TargetHistory[]> {
    const src = await this.source(at);
    return this.histories(src, await src.withObjective(tenant), fromMs);
  }

  private async histories(src: RowSource, targets: FreshnessTargetRow[], fromMs: number): Promise<TargetHistory[]> {
    if (!targets.length) return [];
    const tenants = [...new Set(targets.map((t) => t.tenant).filter((t): t is string => t !== null))];
    const [runs, scheduler, maintenance, tenantPauses] = await Promise.all([
      src.runs(
        targets.map((t) => t.key),
        utcDay(fromMs),
      ),
      src.scheduler(),
      tenants.length ? src.maintenance(tenants) : [],
      tenants.length ? src.tenantPauses(tenants) : [],
    ]);
    return targetHistories(targets, runs, scheduler, maintenance, tenantPauses);
  }

  private async source(at: Date | null): Promise<RowSource> {
    return at ? this.folded(await this.pit.rowsAt(sloFreshnessProjection, at)) : this.live();
  }

  private live(): RowSource {
    const docs = async <T>(sql: string, params: unknown[]) => (await this.pool.query<{ doc: T }>(sql, params)).rows.map((r) => r.doc);
    return {
      target: async (key) => (await docs<FreshnessTargetRow>('SELECT doc FROM rm_slo_freshness WHERE key = $1', [freshnessTargetKey(key)]))[0] ?? null,
      withObjective: (tenant) =>
        tenant === null
          ? docs(`SELECT doc FROM rm_slo_freshness WHERE kind = 'target' AND has_objective ORDER BY target_key`, [])
          : docs(`SELECT doc FROM rm_slo_freshness WHERE kind = 'target' AND has_objective AND tenant = $1 ORDER BY target_key`, [tenant]),
      runs: (keys, fromDay) =>
        docs(`SELECT doc FROM rm_slo_freshness WHERE kind = 'runs' AND target_key = ANY($1::text[]) AND day >= $2 ORDER BY target_key, day`, [keys, fromDay]),
      scheduler: async () => (await docs<SchedulerPausesRow>('SELECT doc FROM rm_slo_freshness WHERE key = $1', [SCHEDULER_KEY]))[0] ?? null,
      maintenance: (tenants) => docs('SELECT doc FROM rm_slo_freshness WHERE key = ANY($1::text[])', [tenants.map(maintenanceKey)]),
      tenantPauses: (tenants) => docs('SELECT doc FROM rm_slo_freshness WHERE key = ANY($1::text[])', [tenants.map(tenantPausesKey)]),
    };
  }

  private folded(rows: Map<string, FreshnessRow>): RowSource {
    const all = [...rows.values()];
    return {
      target: async (key) => (rows.get(freshnessTargetKey(key)) as FreshnessTargetRow | undefined) ?? null,
      withObjective: async (tenant) =>
        all
          .filter((r): r is FreshnessTargetRow => r.kind === 'target' && r.objective !== null && (tenant === null || r.tenant === tenant))
          .sort((a, b) => a.key.localeCompare(b.key)),
      runs: async (keys, fromDay) => {
        const wanted = new Set(keys);
        return all
          .filter((r): r is SuccessRunsRow => r.kind === 'runs' && wanted.has(r.key) && r.day >= fromDay)
          .sort((a, b) => a.key.localeCompare(b.key) || a.day.localeCompare(b.day));
      },
      scheduler: async () => (rows.get(SCHEDULER_KEY) as SchedulerPausesRow | undefined) ?? null,
      maintenance: async (tenants) => tenants.map((t) => rows.get(maintenanceKey(t)) as MaintenanceSpansRow | undefined).filter((r) => r !== undefined),
      tenantPauses: async (tenants) => tenants.map((t) => rows.get(tenantPausesKey(t)) as TenantPausesRow | undefined).filter((r) => r !== undefined),
    };
  }
}
