import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import type { TargetState } from './target.state';
import { PG_POOL } from '../database/database.module';

/** Reads rm_targets (never the log): the target API and both health endpoints. */
@Injectable()
export class TargetReadModel {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Every target, or only a tenant's (a scoped caller's view). */
  async all(tenant: string | null = null): Promise<TargetState[]> {
    const { rows } =
      tenant === null
        ? await this.pool.query<{ doc: TargetState }>('SELECT doc FROM rm_targets ORDER BY key')
        : await this.pool.query<{ doc: TargetState }>(`SELECT doc FROM rm_targets WHERE doc->'spec'->>'tenant' = $1 ORDER BY key`, [tenant]);
    return rows.map((r) => r.doc);
  }

  /** Whether any target came from the config file (lets a start without one skip loading every stream). */
  async anyFromConfig(): Promise<boolean> {
    const { rows } = await this.pool.query(`SELECT 1 FROM rm_targets WHERE doc->>'source' = 'config' LIMIT 1`);
    return rows.length > 0;
  }

  async get(key: string): Promise<TargetState | null> {
    const { rows } = await this.pool.query<{ doc: TargetState }>('SELECT doc FROM rm_targets WHERE key = $1', [key]);
    return rows[0]?.doc ?? null;
  }
}
