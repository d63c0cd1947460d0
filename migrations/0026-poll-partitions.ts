import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Poll scheduling across processes (docs/adr/0017): a fixed set of partitions of the targets,
 * each leased by one scheduler process at a time with a fencing term, and the live scheduler
 * processes (each one's fair share is the partitions divided by them). `ol_poll_partition` maps a
 * target key to its partition; src/polling/scheduler/partition-of.ts computes the same in code.
 */
export class PollPartitions1764000000026 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE poll_partitions (
        partition   int PRIMARY KEY,
        owner       text,
        term        bigint NOT NULL DEFAULT 0,
        lease_until timestamptz,
        acquired_at timestamptz
      )`);
    await q.query(`INSERT INTO poll_partitions (partition) SELECT generate_series(0, 63)`);
    await q.query(`CREATE TABLE poll_schedulers (owner text PRIMARY KEY, seen_until timestamptz NOT NULL, joined_at timestamptz NOT NULL DEFAULT now())`);
    // The first 32 bits of md5(key), unsigned, modulo the partition count.
    await q.query(`
      CREATE FUNCTION ol_poll_partition(key text, partitions int) RETURNS int
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
      AS $$ SELECT (('x' || substr(md5(key), 1, 8))::bit(32)::bigint % partitions)::int $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION ol_poll_partition(text, int)`);
    await q.query(`DROP TABLE poll_schedulers`);
    await q.query(`DROP TABLE poll_partitions`);
  }
}
