import type { ProjectionWorker } from './projection-worker';
import { ShadowRebuild } from './shadow-rebuild';

/**
 * Rebuilds several projections here (the CLI, a restore) with one read of the log for all of
 * them: takes the lock of each that no other process holds, folds them together pass by pass
 * (ShadowRebuild.foldTogether) up to the readable head, then swaps each in. Returns the names
 * rebuilt; projections another process runs are left out.
 */
export async function rebuildTogetherHere(workers: readonly ProjectionWorker[], reason: string): Promise<string[]> {
  const claimed: { worker: ProjectionWorker; rebuild: ShadowRebuild }[] = [];
  try {
    for (const worker of workers) {
      const rebuild = await worker.claimRebuildHere(reason);
      if (rebuild) claimed.push({ worker, rebuild });
    }
    const rebuilds = claimed.map((c) => c.rebuild);
    for (let atHead = !rebuilds.length; !atHead;) {
      const lost = claimed.find((c) => !c.worker.holdsLock);
      if (lost) throw new Error(`lost the connection that holds the lock of ${lost.worker.name}`);
      try {
        atHead = await ShadowRebuild.foldTogether(rebuilds);
      } catch (err) {
        for (const { worker } of claimed) await worker.rebuildFailedHere(err);
        throw err;
      }
    }
    for (const { worker } of claimed) await worker.finishRebuildHere();
    return claimed.map((c) => c.worker.name);
  } finally {
    for (const { worker } of claimed) await worker.releaseHere();
  }
}
