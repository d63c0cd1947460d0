import type { Projection } from '../../projections/projection';
import type { Checkpoint, RecordedEvent } from '../event-store/envelope';
import type { EventStore } from '../event-store/event-store.port';
import type { Queryable } from '../event-store/postgres/postgres-event-store';
import { rfc3339 } from '../shared/clock';
import { CheckpointRow, ProjectionState, readCheckpoints } from './checkpoint-store';
import { heldProjectionLocks } from './projection-lock';

/** What status reads of the log: its head, and the first event a projection has not applied. */
export interface StatusEventSource extends Pick<EventStore, 'head' | 'countAfter'> {
  readAll(from: Checkpoint | null, limit: number): Promise<RecordedEvent[]>;
}

export interface ProjectionStatus {
  readonly name: string;
  /** Version in code. */
  readonly version: number;
  /** Version the live table was built with (null before the first run). */
  readonly storedVersion: number | null;
  readonly checkpoint: string | null;
  readonly position: number;
  readonly lag: {
    /**
     * Readable events after the checkpoint in commit order, counted up to LAG_COUNT_CAP (beyond it,
     * the cap or the head's position past the checkpoint's, whichever is larger).
     */
    readonly events: number;
    /** now − recordedAt of the oldest event not yet applied; 0 when caught up. */
    readonly seconds: number;
  };
  readonly state: ProjectionState;
  readonly error: string | null;
  readonly errorAt: string | null;
  readonly eventsProcessed: number;
  readonly lastEventAt: string | null;
  readonly updatedAt: string | null;
  /** Some process holds the projection's runner lock. */
  readonly running: boolean;
  readonly rebuild: {
    readonly reason: string | null;
    readonly startedAt: string | null;
    /** Position the shadow table has reached. */
    readonly position: number;
  } | null;
  readonly rebuildRequestedAt: string | null;
  readonly rebuiltAt: string | null;
}

/**
 * Status of every registered projection, as any process sees it: the checkpoint table says
 * where each stands, pg_locks whether some process runs it, the log how far behind it is.
 */
export async function projectionStatus(
  db: Queryable,
  store: StatusEventSource,
  projections: readonly Projection[],
  now = new Date(),
): Promise<ProjectionStatus[]> {
  const names = projections.map((p) => p.name);
  const [rows, held, head] = await Promise.all([readCheckpoints(db, names), heldProjectionLocks(db, names), store.head().then((h) => h?.position ?? 0n)]);
  return Promise.all(
    [...projections]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(async (p) => {
        const row = rows.get(p.name);
        const running = held.has(p.name);
        return {
          name: p.name,
          version: p.version,
          storedVersion: row?.version ?? null,
          checkpoint: row?.checkpoint ?? null,
          position: Number(row?.position ?? 0n),
          lag: await lag(store, row, head, now),
          state: effectiveState(row, running),
          error: row?.error ?? null,
          errorAt: rfc3339(row?.errorAt),
          eventsProcessed: Number(row?.eventsProcessed ?? 0n),
          lastEventAt: rfc3339(row?.lastEventAt),
          updatedAt: rfc3339(row?.updatedAt),
          running,
          rebuild: row?.rebuildStartedAt
            ? { reason: row.rebuildReason, startedAt: rfc3339(row.rebuildStartedAt), position: Number(row.rebuildPosition ?? 0n) }
            : null,
          rebuildRequestedAt: rfc3339(row?.rebuildRequestedAt),
          rebuiltAt: rfc3339(row?.rebuiltAt),
        };
      }),
  );
}

/** A row says "live" until someone overwrites it: with no lock holder, nothing runs it. */
function effectiveState(row: CheckpointRow | undefined, running: boolean): ProjectionState {
  if (!row) return running ? 'starting' : 'stopped';
  if (row.state === 'failed') return 'failed';
  return running ? row.state : 'stopped';
}

/** Beyond this many events behind, lag.events is an estimate (counting further costs a scan). */
export const LAG_COUNT_CAP = 100_000;

/**
 * Positions are handed out at insert, commits happen later: in commit order `(transaction_id,
 * position)` the head's position can be below the checkpoint's while events are still to come, so
 * the events behind are counted after the checkpoint rather than taken as a difference of positions.
 */
async function lag(store: StatusEventSource, row: CheckpointRow | undefined, head: bigint, now: Date): Promise<{ events: number; seconds: number }> {
  const [next] = await store.readAll(row?.checkpoint ?? null, 1);
  if (!next) return { events: 0, seconds: 0 };
  const counted = await store.countAfter(row?.checkpoint ?? null, LAG_COUNT_CAP);
  const position = row?.position ?? 0n;
  const estimate = head > position ? Number(head - position) : 0;
  const seconds = Math.max(0, Math.round((now.getTime() - next.recordedAt.getTime()) / 100) / 10);
  return { events: Math.max(1, counted >= LAG_COUNT_CAP ? Math.max(counted, estimate) : counted), seconds };
}
