import type { TargetState } from './target.state';
import { instanceView } from '../health/scheduler-health.view';
import { rfc3339 } from '../shared/clock';

/** A target as the target API shows it: its spec plus seed 001's per-instance status. */
export function targetView(t: TargetState) {
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
    probe: t.spec.probe,
    intervalSeconds: t.spec.intervalSeconds ?? null,
    adaptive: t.spec.adaptive ?? true,
    registeredAt: rfc3339(t.registeredAt),
    nextPollAt: rfc3339(t.deadLetter ? t.deadLetter.nextRetry : t.nextDueAt),
    lastInterval: t.lastInterval,
    ...status,
  };
}
