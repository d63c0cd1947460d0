import { randomBytes } from 'node:crypto';
import { type Lease, PartitionLeases } from '../../src/polling/scheduler/partition-leases';
import { PartitionOwnership, type OwnershipHooks } from '../../src/polling/scheduler/partition-ownership';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const LEASE_MS = 3000;
const hooks: OwnershipHooks = { busy: () => 0, stopPolling: () => undefined, releasing: () => undefined };

/** Real leases on a real database; `afterRenew` runs between a round's renewal and its take of free partitions. */
class LeasesWithAGap extends PartitionLeases {
  afterRenew: (() => Promise<void>) | null = null;
  override async renew(held: readonly Lease[]): Promise<Lease[]> {
    const renewed = await super.renew(held);
    await this.afterRenew?.();
    return renewed;
  }
}

describe('PartitionOwnership rounds on real leases', () => {
  let db: TestDatabase;
  let leases: LeasesWithAGap;
  beforeAll(async () => {
    db = await createTestDatabase(2);
    leases = new LeasesWithAGap(db.url, `test:${randomBytes(3).toString('hex')}`, LEASE_MS);
  });
  afterAll(async () => {
    await leases.close();
    await db.drop();
  });

  it('a partition freed under this process between its renewal and its take of free ones is reported lost, and held at its new term', async () => {
    const own = new PartitionOwnership(leases, LEASE_MS);
    await own.start();
    const first = await own.round(hooks);
    expect(first.acquired.length).toBe(own.partitions);
    expect(first.lost).toEqual([]);
    const terms = new Map(own.list().map((l) => [l.partition, l.term]));

    // Every partition is reset (owner and lease cleared, a new term: orphans) right after the renewal.
    leases.afterRenew = async () => void (await db.pool.query(`UPDATE poll_partitions SET owner = NULL, term = term + 1, lease_until = NULL`));
    const second = await own.round(hooks);
    leases.afterRenew = null;

    expect(second.error).toBeNull();
    expect([...second.lost].sort((a, b) => a - b)).toEqual([...terms.keys()].sort((a, b) => a - b));
    expect(second.acquired.length).toBe(own.partitions);
    for (const l of own.list()) expect(l.term).toBe(terms.get(l.partition)! + 2);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM poll_partitions WHERE owner = $1`, [leases.owner]);
    expect(rows[0].n).toBe(own.partitions);
  });
});
