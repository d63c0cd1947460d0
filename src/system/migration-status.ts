import type { ProjectionStatus } from '../projection-runner/projection-status';

/** A migration in code, and its row in the migrations table when applied. */
export interface MigrationFacts {
  readonly code: readonly { readonly name: string; readonly timestamp: number }[];
  readonly applied: readonly { readonly name: string; readonly appliedAt: Date | null }[];
  readonly lastRun: {
    readonly startedAt: Date;
    readonly finishedAt: Date;
    readonly applied: readonly string[];
    readonly error: string | null;
    readonly instance: string;
  } | null;
  readonly projections: readonly ProjectionStatus[];
  /** Position of the last event in the log (how far a rebuild has to go). */
  readonly head: number;
}

export interface ProjectionMigration {
  readonly name: string;
  readonly version: number;
  readonly storedVersion: number | null;
  readonly state: ProjectionStatus['state'];
  readonly rebuild: {
    /** Requested (API, CLI) or due to a version change, not started yet. */
    readonly pending: boolean;
    readonly running: boolean;
    readonly position: number | null;
    readonly head: number | null;
    /** position / head, 0 to 1, while running. */
    readonly progress: number | null;
    readonly reason: string | null;
  };
  /** This projection has nothing left to migrate: built with the code's version, no rebuild due or running, not failed. */
  readonly settled: boolean;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * "Has this deploy finished migrating and rebuilding?": every migration in code applied, and every
 * projection built with its code version with no rebuild due, running or failed. Pure.
 */
export function migrationStatus(f: MigrationFacts) {
  const applied = new Map(f.applied.map((a) => [a.name, a]));
  const migrations = f.code.map((m) => {
    const row = applied.get(m.name);
    return { name: m.name, timestamp: m.timestamp, state: row ? ('applied' as const) : ('pending' as const), appliedAt: iso(row?.appliedAt ?? null) };
  });
  const known = new Set(f.code.map((m) => m.name));
  const pending = migrations.filter((m) => m.state === 'pending').map((m) => m.name);
  const projections: ProjectionMigration[] = f.projections.map((p) => {
    const running = p.rebuild !== null;
    const versionDue = p.storedVersion !== p.version;
    const pendingRebuild = !running && (p.rebuildRequestedAt !== null || (p.storedVersion !== null && versionDue));
    const position = running ? p.rebuild!.position : null;
    return {
      name: p.name,
      version: p.version,
      storedVersion: p.storedVersion,
      state: p.state,
      rebuild: {
        pending: pendingRebuild,
        running,
        position,
        head: running ? f.head : null,
        progress: running ? (f.head > 0 ? Math.min(1, Math.round((position! / f.head) * 1000) / 1000) : 1) : null,
        reason: running ? p.rebuild!.reason : null,
      },
      settled: !versionDue && !running && !pendingRebuild && p.state !== 'failed',
    };
  });
  return {
    settled: pending.length === 0 && projections.every((p) => p.settled),
    migrations,
    pending,
    /** Applied by a newer release than this code: a rollback is running against a newer schema. */
    unknownApplied: f.applied.filter((a) => !known.has(a.name)).map((a) => a.name),
    lastRun: f.lastRun
      ? {
          startedAt: iso(f.lastRun.startedAt),
          finishedAt: iso(f.lastRun.finishedAt),
          applied: f.lastRun.applied,
          error: f.lastRun.error,
          instance: f.lastRun.instance,
        }
      : null,
    projections,
  };
}
export type MigrationStatus = ReturnType<typeof migrationStatus>;
