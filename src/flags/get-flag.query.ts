import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import type { FlagRow } from '../../projections/flags/flag-row';
import { PG_POOL } from '../database/database.module';

/** One flag row, or null. */
export class GetFlagQuery extends Query<FlagRow | null> {
  constructor(readonly key: string) {
    super();
  }
}

@QueryHandler(GetFlagQuery)
export class GetFlagHandler implements IQueryHandler<GetFlagQuery, FlagRow | null> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async execute(q: GetFlagQuery): Promise<FlagRow | null> {
    const { rows } = await this.pool.query<{ doc: FlagRow }>('SELECT doc FROM rm_flags WHERE key = $1', [q.key]);
    return rows[0]?.doc ?? null;
  }
}
