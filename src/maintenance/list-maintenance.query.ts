import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import type { MaintenanceRow } from '../../projections/maintenance/maintenance-row';
import { PG_POOL } from '../database/database.module';

/** Every tenant that has had a maintenance window, by tenant; `tenant` (a scoped caller) narrows it to one. */
export class ListMaintenanceQuery extends Query<MaintenanceRow[]> {
  constructor(readonly tenant: string | null) {
    super();
  }
}

@QueryHandler(ListMaintenanceQuery)
export class ListMaintenanceHandler implements IQueryHandler<ListMaintenanceQuery, MaintenanceRow[]> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async execute(q: ListMaintenanceQuery): Promise<MaintenanceRow[]> {
    const { rows } = await this.pool.query<{ doc: MaintenanceRow }>('SELECT doc FROM rm_maintenance WHERE $1::text IS NULL OR key = $1 ORDER BY key', [
      q.tenant,
    ]);
    return rows.map((r) => r.doc);
  }
}
