import { createHash } from 'node:crypto';
import { Client } from 'pg';
import type { Queryable } from '../event-store/postgres/postgres-event-store';

/**
 * The advisory-lock key of a projection: 64 bits of a hash of its name, so two names never share
 * a lock in practice (a shared key would leave one of them with no runner anywhere).
 */
export function projectionLockKey(name: string): bigint {
  const hex = createHash('sha256').update(`opsledger.projection:${name}`).digest('hex').slice(0, 16);
  return BigInt.asIntN(64, BigInt(`0x${hex}`));
}

/** How pg_locks shows a bigint advisory key: high and low 32 bits as classid / objid (objsubid 1). */
export function lockKeyParts(key: bigint): { classid: number; objid: number } {
  const u = BigInt.asUintN(64, key);
  return { classid: Number(u >> 32n), objid: Number(u & 0xffffffffn) };
}

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
 * A session-level advisory lock on a dedicated connection: held for as long as the connection
 * lives, released by PostgreSQL when the process dies. `held` turns false as soon as the
 * connection reports an error or ends, and the runner stops writing at once.
 */
export class ProjectionLock {
  private client: Client | null = null;
  private owned = false;
  readonly key: bigint;

  constructor(
    private readonly databaseUrl: string,
    readonly name: string,
  ) {
    this.key = projectionLockKey(name);
  }

  get held(): boolean {
    return this.owned && this.client !== null;
  }

  /** True when this process now holds the lock. Keeps the connection open between tries. */
  async tryAcquire(): Promise<boolean> {
    if (this.held) return true;
    if (!this.client) {
      const c = new Client({ connectionString: this.databaseUrl, keepAlive: true, connectionTimeoutMillis: 10_000, application_name: `opsledger-projection:${this.name}`.slice(0, 63) });
      const lost = () => {
        if (this.client === c) {
          this.client = null;
          this.owned = false;
        }
        c.end().catch(() => undefined);
      };
      c.on('error', lost);
      c.on('end', lost);
      await c.connect();
      this.client = c;
    }
    const { rows } = await this.client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [this.key.toString()]);
    this.owned = rows[0].ok;
    return this.owned;
  }

  /** Closes the dedicated connection, which releases the lock. */
  async release(): Promise<void> {
    const c = this.client;
    this.client = null;
    this.owned = false;
    if (c) await c.end().catch(() => undefined);
  }
}
