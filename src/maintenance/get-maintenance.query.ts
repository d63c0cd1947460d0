import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import type { MaintenanceRow } from '../../projections/maintenance/maintenance-row';
import { PG_POOL } from '../database/database.module';

/** One tenant's maintenance row, or null (never had a window, or an unknown tenant). */
export class GetMaintenanceQuery extends Query<MaintenanceRow | null> {
  constructor(readonly tenant: string) {
    super();
  }
}

@QueryHandler(GetMaintenanceQuery)
export class GetMaintenanceHandler implements IQueryHandler<GetMaintenanceQuery, MaintenanceRow | null> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async execute(q: GetMaintenanceQuery): Promise<MaintenanceRow | null> {
    const { rows } = await this.pool.query<{ doc: MaintenanceRow }>('SELECT doc FROM rm_maintenance WHERE key = $1', [q.tenant]);
    return rows[0]?.doc ?? null;
  }
}
