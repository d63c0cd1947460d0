import type { TargetState } from './target.state';
import { instanceView } from './instance.view';
import { rfc3339 } from '../shared/clock';
import { dueMs } from './next-due';
import type { Hold } from '../pausing/holds';
import { holdView } from '../pausing/pause.view';

/**
 * A target as the target API shows it: its spec plus the per-instance status of scheduler health,
 * and what holds it now (its own pause or its tenant's targets pause: by whom, why, until when).
 */
export function targetView(t: TargetState, hold: Hold | null = null) {
  const { key, type, displayName, instance, connection, ...status } = instanceView(t);
  return {
    key,
    type,
    name: instance,
    displayName,
    connection,
    source: t.source,
    tenant: t.spec.tenant ?? null,
    paused: t.paused,
    hold: holdView(hold),
    probe: t.spec.probe,
    intervalSeconds: t.spec.intervalSeconds ?? null,
    adaptive: t.spec.adaptive ?? true,
    freshness: t.spec.freshness ?? null,
    registeredAt: rfc3339(t.registeredAt),
    nextPollAt: rfc3339(dueMs(t)),
    lastInterval: t.lastInterval,
    ...status,
  };
}
