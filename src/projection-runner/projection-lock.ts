import type { Logger } from 'pino';
import { hashedLockKey, LeaderLock, lockKeyParts } from '../database/leader-lock';
import type { Queryable } from '../event-store/postgres/postgres-event-store';

/** The advisory-lock key of a projection's runner. */
export const projectionLockKey = (name: string): bigint => hashedLockKey(`opsledger.projection:${name}`);

/** Names of the given projections whose runner lock some session of this database holds now. */
export async function heldProjectionLocks(db: Queryable, names: readonly string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ classid: string; objid: string }>(
    `SELECT classid::text, objid::text FROM pg_locks
      WHERE locktype = 'advisory' AND objsubid = 1 AND granted
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  const held = new Set(rows.map((r) => `${r.classid}:${r.objid}`));
  return new Set(
    names.filter((n) => {
      const { classid, objid } = lockKeyParts(projectionLockKey(n));
      return held.has(`${classid}:${objid}`);
    }),
  );
}

/**
 * The lock of one projection's runner. Its terms are logged as projection.lock_acquired /
 * projection.lock_released: the two lines bracket every write of the runner.
 */
export function projectionLock(databaseUrl: string, projection: string, log: Logger): LeaderLock {
  return new LeaderLock({
    databaseUrl,
    key: projectionLockKey(projection),
    name: `projection:${projection}`,
    onAcquired: () => log.info({ event: 'projection.lock_acquired', projection }, `running projection ${projection}`),
    onReleasing: () => log.info({ event: 'projection.lock_released', projection }, `stopped running projection ${projection}`),
    // The runner sees `held` turn false and winds down; lock_released follows from its release().
    onLost: () => undefined,
  });
}
