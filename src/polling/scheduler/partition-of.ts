import { createHash } from 'node:crypto';

/**
 * The partition of a target key: the first 32 bits of md5(key), unsigned, modulo the partition
 * count. The SQL function `ol_poll_partition` (migration 0026) computes the same, so a scheduler
 * can load only its partitions' rows.
 */
export function partitionOf(key: string, partitions: number): number {
  return createHash('md5').update(key).digest().readUInt32BE(0) % partitions;
}
