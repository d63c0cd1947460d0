import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import type { PurgeRow } from '../../projections/cache-purges/purge-row';
import { PG_POOL } from '../database/database.module';

/** A cache's purges, newest first (at most `limit`), or one of them by id. */
export class PurgesQuery extends Query<PurgeRow[]> {
  constructor(
    readonly cache: string,
    readonly id: string | null = null,
    readonly limit = 100,
  ) {
    super();
  }
}

@QueryHandler(PurgesQuery)
export class PurgesHandler implements IQueryHandler<PurgesQuery, PurgeRow[]> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async execute(q: PurgesQuery): Promise<PurgeRow[]> {
    const { rows } = await this.pool.query<{ doc: PurgeRow }>(
      'SELECT doc FROM rm_cache_purges WHERE cache = $1 AND ($2::text IS NULL OR key = $2) ORDER BY started_at DESC LIMIT $3',
      [q.cache, q.id, q.limit],
    );
    return rows.map((r) => r.doc);
  }
}
