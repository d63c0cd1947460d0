import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { PG_POOL } from '../database/database.module';
import { CheckpointRow, readCheckpoints } from '../projection-runner/checkpoint-store';

/** Which read models a body is folded from: projection names, or '*' for every one. */
export type ReadModels = readonly string[] | '*';

/**
 * Where the read models stand, from PostgreSQL (so every process sees the same positions): one
 * read of projection_checkpoints serves every cached endpoint for READ_CACHE_INTERVAL_MS.
 */
@Injectable()
export class ReadPositions {
  private rows: Map<string, CheckpointRow> | null = null;
  private readAt = -Infinity;
  private pending: Promise<Map<string, CheckpointRow>> | null = null;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The positions of `models` as one string: equal strings, unchanged read models. */
  async of(models: ReadModels): Promise<string> {
    const rows = await this.current();
    const names = models === '*' ? [...rows.keys()].sort() : models;
    // Version, state, rebuild progress and last swap too: a swap may bring a table at the same checkpoint.
    return names
      .map((n) => {
        const r = rows.get(n);
        return r ? `${n}@${r.version}:${r.checkpoint ?? '-'}:${r.state}:${r.rebuildPosition ?? '-'}:${r.rebuiltAt?.getTime() ?? '-'}` : `${n}:none`;
      })
      .join(' ');
  }

  private async current(): Promise<Map<string, CheckpointRow>> {
    if (this.rows && performance.now() - this.readAt < this.config.readCache.intervalMs) return this.rows;
    // Concurrent callers share one query.
    this.pending ??= readCheckpoints(this.pool)
      .then((rows) => {
        this.rows = rows;
        this.readAt = performance.now();
        return rows;
      })
      .finally(() => (this.pending = null));
    return this.pending;
  }
}
