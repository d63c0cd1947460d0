import type { RestoreDrillRow } from '../../projections/restore-drills/restore-drills.projection';
import { rfc3339 } from '../shared/clock';

const DAY_MS = 86_400_000;

/** The latest drill performed at or before `now` (a quarterly restore drill is expected). */
export function latestDrill(drills: Iterable<RestoreDrillRow>, now: Date): RestoreDrillRow | null {
  let best: RestoreDrillRow | null = null;
  for (const d of drills) {
    const at = Date.parse(d.performedAt);
    if (at > now.getTime()) continue;
    if (!best || at > Date.parse(best.performedAt) || (at === Date.parse(best.performedAt) && d.drillId > best.drillId)) best = d;
  }
  return best;
}

/** `restoreDrill` of ops health, and the issue text when none is recent enough (null when one is). */
export function restoreDrillView(drills: Iterable<RestoreDrillRow>, now: Date, maxAgeDays: number) {
  const last = latestDrill(drills, now);
  const recent = last !== null && now.getTime() - Date.parse(last.performedAt) <= maxAgeDays * DAY_MS;
  return {
    restoreDrill: last ? { lastAt: rfc3339(last.performedAt), owner: last.owner, result: last.result } : null,
    issue: recent ? null : `No restore drill recorded in ${maxAgeDays} days`,
  };
}
