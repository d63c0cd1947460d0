import type { Queryable } from '../event-store/postgres/postgres-event-store';

export const PROJECTION_STATES = ['starting', 'catching_up', 'live', 'rebuilding', 'failed', 'stopped'] as const;
export type ProjectionState = (typeof PROJECTION_STATES)[number];

/** One row of `projection_checkpoints`: where a projection's live table (and its rebuild) stand. */
export interface CheckpointRow {
  name: string;
  version: number;
  checkpoint: string | null;
  position: bigint;
  eventsProcessed: bigint;
  state: ProjectionState;
  error: string | null;
  errorAt: Date | null;
  lastEventAt: Date | null;
  updatedAt: Date;
  rebuildRequestedAt: Date | null;
  rebuildReason: string | null;
  rebuildStartedAt: Date | null;
  rebuildCheckpoint: string | null;
  rebuildPosition: bigint | null;
  rebuiltAt: Date | null;
}

const big = (v: string | null): bigint | null => (v === null ? null : BigInt(v));

/** A `projection_checkpoints` row as pg returns it (bigints as text). */
interface CheckpointRecord {
  name: string;
  version: number;
  checkpoint: string | null;
  position: string;
  events_processed: string;
  state: ProjectionState;
  error: string | null;
  error_at: Date | null;
  last_event_at: Date | null;
  updated_at: Date;
  rebuild_requested_at: Date | null;
  rebuild_reason: string | null;
  rebuild_started_at: Date | null;
  rebuild_checkpoint: string | null;
  rebuild_position: string | null;
  rebuilt_at: Date | null;
}

function toRow(r: CheckpointRecord): CheckpointRow {
  return {
    name: r.name,
    version: r.version,
    checkpoint: r.checkpoint,
    position: BigInt(r.position),
    eventsProcessed: BigInt(r.events_processed),
    state: r.state,
    error: r.error,
    errorAt: r.error_at,
    lastEventAt: r.last_event_at,
    updatedAt: r.updated_at,
    rebuildRequestedAt: r.rebuild_requested_at,
    rebuildReason: r.rebuild_reason,
    rebuildStartedAt: r.rebuild_started_at,
    rebuildCheckpoint: r.rebuild_checkpoint,
    rebuildPosition: big(r.rebuild_position),
    rebuiltAt: r.rebuilt_at,
  };
}

export async function readCheckpoints(db: Queryable, names?: readonly string[]): Promise<Map<string, CheckpointRow>> {
  const { rows } = names
    ? await db.query<CheckpointRecord>(`SELECT * FROM projection_checkpoints WHERE name = ANY($1::text[])`, [names])
    : await db.query<CheckpointRecord>(`SELECT * FROM projection_checkpoints`);
  return new Map(rows.map((r) => [r.name, toRow(r)]));
}

export async function readCheckpoint(db: Queryable, name: string, forUpdate = false): Promise<CheckpointRow | null> {
  const { rows } = await db.query<CheckpointRecord>(`SELECT * FROM projection_checkpoints WHERE name = $1${forUpdate ? ' FOR UPDATE' : ''}`, [name]);
  return rows.length ? toRow(rows[0]) : null;
}

/** The row of a projection seen for the first time: at the start of the log, at its current version. */
export async function ensureCheckpoint(db: Queryable, name: string, version: number): Promise<CheckpointRow> {
  await db.query(`INSERT INTO projection_checkpoints (name, version, state) VALUES ($1, $2, 'starting') ON CONFLICT (name) DO NOTHING`, [name, version]);
  return (await readCheckpoint(db, name))!;
}

/**
 * Asks for a rebuild; whichever process holds the projection's lock picks it up. Wakes every
 * listener of the log so that happens at once rather than on the next poll.
 */
export async function requestRebuild(db: Queryable, name: string, version: number, reason: string): Promise<Date> {
  const { rows } = await db.query<{ at: Date }>(
    `INSERT INTO projection_checkpoints AS p (name, version, state, rebuild_requested_at, rebuild_reason)
     VALUES ($1, $2, 'starting', now(), $3)
     ON CONFLICT (name) DO UPDATE SET rebuild_requested_at = now(), rebuild_reason = $3
     RETURNING p.rebuild_requested_at AS at`,
    [name, version, reason],
  );
  await db.query(`SELECT pg_notify('ol_events', '')`);
  return rows[0].at;
}
