import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import type { FlagRow } from '../../projections/flags/flag-row';
import { PG_POOL } from '../database/database.module';

/** Every flag row, by key. */
export class ListFlagsQuery extends Query<FlagRow[]> {}

@QueryHandler(ListFlagsQuery)
export class ListFlagsHandler implements IQueryHandler<ListFlagsQuery, FlagRow[]> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async execute(): Promise<FlagRow[]> {
    const { rows } = await this.pool.query<{ doc: FlagRow }>('SELECT doc FROM rm_flags ORDER BY key');
    return rows.map((r) => r.doc);
  }
}
