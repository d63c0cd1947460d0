/**
 * How many partitions a scheduler process should hold: the partitions divided among the live
 * processes, the remainder going to the first ones by owner id, so the shares add up to the total
 * and every process computes the same split from the same list.
 */
export function fairShare(partitions: number, members: readonly string[], me: string): number {
  const all = [...new Set([...members, me])].sort();
  const base = Math.floor(partitions / all.length);
  return base + (all.indexOf(me) < partitions % all.length ? 1 : 0);
}

/**
 * What a process holding `held` partitions (of which `draining` are already being let go) does to
 * reach its share: start draining the highest-numbered surplus, or ask for more (only once nothing
 * is draining, so a process never gives and takes at once).
 */
export function rebalance(held: readonly number[], draining: ReadonlySet<number>, share: number): { drain: number[]; acquire: number } {
  const keeping = held.filter((p) => !draining.has(p)).sort((a, b) => a - b);
  if (keeping.length > share) return { drain: keeping.slice(share), acquire: 0 };
  return { drain: [], acquire: draining.size ? 0 : Math.max(0, share - held.length) };
}
