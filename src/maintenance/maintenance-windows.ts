import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import type { MaintenanceRow } from '../../projections/maintenance/maintenance-row';
import type { ActiveMaintenance, MaintenanceLookup } from '../access/maintenance-gate';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { PG_POOL } from '../database/database.module';
import { LOGGER } from '../shared/logger';
import { RefreshedRows } from '../shared/refreshed-rows';
import { activeMaintenance } from './maintenance.view';

/**
 * Which tenants are in maintenance at an instant, answered from memory: the request gate asks on
 * every request, and the poll scheduler and job workers can ask on every turn. The windows are
 * re-read every MAINTENANCE_REFRESH_MS and at once after a change made through this process; the
 * instant is compared with each window, so a scheduled start or end applies without a re-read.
 */
@Injectable()
export class MaintenanceWindows implements MaintenanceLookup, OnModuleInit, OnApplicationShutdown {
  private readonly rows: RefreshedRows<string, MaintenanceRow>;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) log: Logger,
  ) {
    this.rows = new RefreshedRows({
      load: () => this.load(),
      key: (r) => r.tenant,
      everyMs: config.maintenance.refreshMs,
      log,
      event: 'maintenance.refresh_failed',
      what: 'maintenance windows',
    });
  }

  onModuleInit(): Promise<void> {
    return this.rows.start();
  }

  onApplicationShutdown(): void {
    this.rows.stop();
  }

  /** The tenant's window that holds at `at` (mode, banner, startsAt, endsAt), or null. */
  activeFor(tenant: string, at: Date): ActiveMaintenance | null {
    const row = this.rows.current().get(tenant);
    return row ? activeMaintenance(row, at) : null;
  }

  /** The windows as last read, by tenant (the hold source compares them with the instant). */
  current(): ReadonlyMap<string, MaintenanceRow> {
    return this.rows.current();
  }

  /** Every tenant in maintenance at `at`, by tenant. */
  activeAt(at: Date): ActiveMaintenance[] {
    return [...this.rows.current().values()]
      .map((r) => activeMaintenance(r, at))
      .filter((a): a is ActiveMaintenance => a !== null)
      .sort((a, b) => (a.tenant < b.tenant ? -1 : 1));
  }

  /** Rows with a current window (scheduled or open). */
  async load(): Promise<MaintenanceRow[]> {
    const { rows } = await this.pool.query<{ doc: MaintenanceRow }>(`SELECT doc FROM rm_maintenance WHERE doc->'window' <> 'null'::jsonb ORDER BY key`);
    return rows.map((r) => r.doc);
  }

  refresh(): Promise<void> {
    return this.rows.refresh();
  }
}
