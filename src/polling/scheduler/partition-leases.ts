import { Client } from 'pg';
import type { SqlSession } from '../../event-store/unit-of-work';

/** A partition as a lease holder knows it: the term it took it with (the fencing token). */
export interface Lease {
  readonly partition: number;
  readonly term: number;
}

/** An append whose partition lease was lost (taken over, or expired): nothing of it was stored. */
export class LeaseLost extends Error {
  override readonly name = 'LeaseLost';
  constructor(readonly partition: number) {
    super(`the lease of poll partition ${partition} is no longer held`);
  }
}

const leases = (rows: { partition: number; term: string }[]): Lease[] => rows.map((r) => ({ partition: r.partition, term: Number(r.term) }));

/**
 * The SQL of poll partition leases (tables of migration 0026, docs/adr/0017), on a dedicated
 * connection so a renewal never waits behind the pool's appends. Every time is the database's
 * `now()`: processes' clocks are never compared.
 */
export class PartitionLeases {
  private client: Client | null = null;

  constructor(
    private readonly databaseUrl: string,
    readonly owner: string,
    private readonly leaseMs: number,
  ) {}

  private async db(): Promise<Client> {
    if (this.client) return this.client;
    const c = new Client({ connectionString: this.databaseUrl, keepAlive: true, connectionTimeoutMillis: 10_000, application_name: 'opsledger-poll-leases' });
    const drop = () => {
      if (this.client === c) this.client = null;
      c.end().catch(() => undefined);
    };
    c.on('error', drop);
    c.on('end', drop);
    await c.connect();
    this.client = c;
    return c;
  }

  private async query<R extends object>(sql: string, params: unknown[]): Promise<R[]> {
    return (await (await this.db()).query<R>(sql, params)).rows;
  }

  async partitionCount(): Promise<number> {
    const [r] = await this.query<{ n: number }>('SELECT count(*)::int AS n FROM poll_partitions', []);
    return r.n;
  }

  /** Says this process is alive (for a lease time) and returns every live process, itself included. */
  async beat(): Promise<string[]> {
    const rows = await this.query<{ owner: string }>(
      `WITH me AS (
         INSERT INTO poll_schedulers (owner, seen_until) VALUES ($1, now() + $2 * interval '1 millisecond')
         ON CONFLICT (owner) DO UPDATE SET seen_until = EXCLUDED.seen_until RETURNING owner)
       SELECT owner FROM poll_schedulers WHERE seen_until > now() AND owner <> $1 UNION SELECT owner FROM me`,
      [this.owner, this.leaseMs],
    );
    return rows.map((r) => r.owner).sort();
  }

  /**
   * Extends the leases still held at their term; the ones missing from the answer are lost. A plain
   * UPDATE of non-key columns: it does not wait for the appends' fencing locks (FOR KEY SHARE).
   */
  async renew(held: readonly Lease[]): Promise<Lease[]> {
    if (!held.length) return [];
    return leases(
      await this.query(
        `UPDATE poll_partitions p SET lease_until = now() + $2 * interval '1 millisecond' FROM unnest($3::int[], $4::bigint[]) AS h(partition, term)
         WHERE p.partition = h.partition AND p.term = h.term AND p.owner = $1 AND p.lease_until > now() RETURNING p.partition, p.term`,
        [this.owner, this.leaseMs, held.map((l) => l.partition), held.map((l) => l.term)],
      ),
    );
  }

  /**
   * Takes up to `wanted` free partitions (unowned, or whose lease ran out), each at a new term;
   * also every orphan (free for more than a lease time: nobody whose share it is took it), whatever
   * the share, so no partition stays unpolled for longer than that.
   */
  async acquire(wanted: number): Promise<Lease[]> {
    return leases(
      await this.query(
        `WITH free AS (
           SELECT partition, (lease_until IS NULL OR lease_until < now() - $2 * interval '1 millisecond') AS orphan
           FROM poll_partitions WHERE owner IS NULL OR lease_until IS NULL OR lease_until < now()),
         pick AS (
           SELECT partition FROM poll_partitions WHERE partition IN (SELECT partition FROM free)
           ORDER BY partition IN (SELECT partition FROM free WHERE orphan) DESC, partition
           LIMIT greatest($3, (SELECT count(*) FROM free WHERE orphan)) FOR UPDATE SKIP LOCKED)
         UPDATE poll_partitions p SET owner = $1, term = p.term + 1, lease_until = now() + $2 * interval '1 millisecond', acquired_at = now()
         FROM pick WHERE p.partition = pick.partition AND (p.owner IS NULL OR p.lease_until IS NULL OR p.lease_until < now())
         RETURNING p.partition, p.term`,
        [this.owner, this.leaseMs, wanted],
      ),
    );
  }

  /** Lets partitions go at once (rebalancing, shutdown): free, but no orphans for a lease time, so the process whose share they are takes them. */
  async release(held: readonly Lease[]): Promise<void> {
    if (!held.length) return;
    await this.query(
      `UPDATE poll_partitions p SET owner = NULL, lease_until = now() FROM unnest($2::int[], $3::bigint[]) AS h(partition, term)
       WHERE p.partition = h.partition AND p.term = h.term AND p.owner = $1`,
      [this.owner, held.map((l) => l.partition), held.map((l) => l.term)],
    );
  }

  /** Leaves the set of live processes (shutdown), so the others' shares grow at once. */
  async leave(): Promise<void> {
    await this.query('DELETE FROM poll_schedulers WHERE owner = $1', [this.owner]);
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  /**
   * The fencing check, inside an append's transaction: which of these leases this process still
   * holds at their term, unexpired. The rows are locked FOR KEY SHARE until the commit: a takeover
   * (acquire's FOR UPDATE) skips them until the append has committed, and so loads the target after
   * it, while renewals (plain UPDATEs) never wait for appends.
   */
  static async held(sql: SqlSession, owner: string, wanted: readonly Lease[]): Promise<Set<number>> {
    const { rows } = await sql.query<{ partition: number }>(
      `SELECT p.partition FROM poll_partitions p JOIN unnest($2::int[], $3::bigint[]) AS h(partition, term) ON h.partition = p.partition AND h.term = p.term
       WHERE p.owner = $1 AND p.lease_until > now() FOR KEY SHARE OF p`,
      [owner, wanted.map((l) => l.partition), wanted.map((l) => l.term)],
    );
    return new Set(rows.map((r) => r.partition));
  }
}
