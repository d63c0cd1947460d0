import { gunzipSync, gzipSync } from 'node:zlib';
import type { Pool } from 'pg';
import type { Projection } from '../../projections/projection';
import type { EventStore } from '../event-store/event-store.port';
import { liveTable } from '../event-store/postgres/row-store';
import { sqlOf } from '../event-store/unit-of-work';

export interface Snapshot<Row> {
  readonly checkpoint: string;
  readonly position: bigint;
  readonly lastEventAt: Date;
  readonly rows: Map<string, Row>;
}

/**
 * Copies a read-model table with the checkpoint it stands at. One snapshot sees the table and its
 * checkpoint row as the runner committed them together, so the copy is exactly "the log up to
 * this checkpoint". Returns false when nothing changed since the last one.
 */
export async function takeSnapshot(store: EventStore, pool: Pool, projection: Projection<unknown>): Promise<boolean> {
  const copy = await store.atSnapshot(async (snap) => {
    const db = sqlOf(snap);
    const { rows: cp } = await db.query<{ checkpoint: string | null; position: string; version: number }>(
      'SELECT checkpoint, position, version FROM projection_checkpoints WHERE name = $1',
      [projection.name],
    );
    if (!cp.length || !cp[0].checkpoint || cp[0].version !== projection.version) return null;
    const { rows: last } = await db.query<{ position: string }>(
      'SELECT position FROM projection_snapshots WHERE name = $1 AND version = $2 ORDER BY id DESC LIMIT 1',
      [projection.name, projection.version],
    );
    if (last.length && last[0].position === cp[0].position) return null;
    const position = BigInt(cp[0].position);
    const [at] = await snap.readAll(null, 1, { positions: { gte: position, lte: position } });
    const { rows } = await db.query<{ key: string; doc: unknown }>(`SELECT key, doc FROM ${liveTable(projection.name)}`);
    return { checkpoint: cp[0].checkpoint, position: cp[0].position, lastEventAt: at?.recordedAt ?? new Date(0), rows };
  });
  if (!copy) return false;
  // One process snapshots (the snapshotter's lock): writing after the read cannot race another copy.
  const blob = gzipSync(JSON.stringify(copy.rows.map((r) => [r.key, r.doc])));
  await pool.query(
    `INSERT INTO projection_snapshots (name, version, checkpoint, position, last_event_at, row_count, rows) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [projection.name, projection.version, copy.checkpoint, copy.position, copy.lastEventAt, copy.rows.length, blob],
  );
  return true;
}

/** The newest snapshot whose last event was recorded at or before `at`. */
export async function snapshotBefore<Row>(pool: Pool, projection: Projection<Row>, at: Date): Promise<Snapshot<Row> | null> {
  const { rows } = await pool.query<{ checkpoint: string; position: string; last_event_at: Date; rows: Buffer }>(
    `SELECT checkpoint, position, last_event_at, rows FROM projection_snapshots
      WHERE name = $1 AND version = $2 AND last_event_at <= $3 ORDER BY last_event_at DESC, id DESC LIMIT 1`,
    [projection.name, projection.version, at],
  );
  if (!rows.length) return null;
  const entries: [string, Row][] = JSON.parse(gunzipSync(rows[0].rows).toString());
  return { checkpoint: rows[0].checkpoint, position: BigInt(rows[0].position), lastEventAt: rows[0].last_event_at, rows: new Map(entries) };
}

/** Where the newest snapshot of `projection` stands and when it was taken (null: none yet). */
export async function lastSnapshot(pool: Pool, projection: Projection<unknown>): Promise<{ checkpoint: string; takenAt: Date } | null> {
  const { rows } = await pool.query<{ checkpoint: string; taken_at: Date }>(
    'SELECT checkpoint, taken_at FROM projection_snapshots WHERE name = $1 AND version = $2 ORDER BY id DESC LIMIT 1',
    [projection.name, projection.version],
  );
  return rows.length ? { checkpoint: rows[0].checkpoint, takenAt: rows[0].taken_at } : null;
}

/** Keeps every snapshot of the last `keepDays`, and the first of each UTC day before that. */
export async function thinSnapshots(pool: Pool, keepDays: number): Promise<number> {
  const { rowCount } = await pool.query(
    `DELETE FROM projection_snapshots s WHERE s.taken_at < now() - make_interval(days => $1)
       AND s.id <> (SELECT min(id) FROM projection_snapshots f WHERE f.name = s.name AND f.version = s.version AND date_trunc('day', f.taken_at AT TIME ZONE 'UTC') = date_trunc('day', s.taken_at AT TIME ZONE 'UTC'))`,
    [keepDays],
  );
  return rowCount ?? 0;
}
