import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import type { MaintenanceRow } from '../../projections/maintenance/maintenance-row';
import type { ActiveMaintenance, MaintenanceLookup } from '../access/maintenance-gate';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { PG_POOL } from '../database/database.module';
import { LOGGER } from '../shared/logger';
import { activeMaintenance } from './maintenance.view';

/**
 * Which tenants are in maintenance at an instant, answered from memory: the request gate asks on
 * every request, and the poll scheduler and job workers can ask on every turn. The windows are
 * re-read every MAINTENANCE_REFRESH_MS and at once after a change made through this process; the
 * instant is compared with each window, so a scheduled start or end applies without a re-read.
 */
@Injectable()
export class MaintenanceWindows implements MaintenanceLookup, OnModuleInit, OnApplicationShutdown {
  private rows = new Map<string, MaintenanceRow>();
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.config.maintenance.refreshMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** The tenant's window that holds at `at` (mode, banner, startsAt, endsAt), or null. */
  activeFor(tenant: string, at: Date): ActiveMaintenance | null {
    const row = this.rows.get(tenant);
    return row ? activeMaintenance(row, at) : null;
  }

  /** The windows as last read, by tenant (the hold source compares them with the instant). */
  current(): ReadonlyMap<string, MaintenanceRow> {
    return this.rows;
  }

  /** Every tenant in maintenance at `at`, by tenant. */
  activeAt(at: Date): ActiveMaintenance[] {
    return [...this.rows.values()]
      .map((r) => activeMaintenance(r, at))
      .filter((a): a is ActiveMaintenance => a !== null)
      .sort((a, b) => (a.tenant < b.tenant ? -1 : 1));
  }

  /** Rows with a current window (scheduled or open). */
  async load(): Promise<MaintenanceRow[]> {
    const { rows } = await this.pool.query<{ doc: MaintenanceRow }>(`SELECT doc FROM rm_maintenance WHERE doc->'window' <> 'null'::jsonb ORDER BY key`);
    return rows.map((r) => r.doc);
  }

  async refresh(): Promise<void> {
    try {
      this.rows = new Map((await this.load()).map((r) => [r.tenant, r]));
    } catch (err) {
      this.log.warn({ event: 'maintenance.refresh_failed', err }, 'could not re-read maintenance windows; keeping the last known');
    }
  }
}
