import type { AttentionSource } from '../attention-source';
import { iso, targetHref } from '../attention-source';

/** Targets an operator paused: not polled until resumed. Info. Their breaker and dead letter wait with them (those sources skip paused targets). */
export const targetPausesSource: AttentionSource = {
  name: 'target-pauses',
  kinds: ['paused'],
  reach: 'tenant',
  items: ({ targets }) =>
    targets
      .filter((t) => t.paused)
      .map((t) => ({
        kind: 'paused',
        severity: 'info',
        // Rows folded before pause details existed: it was paused at or after its registration.
        since: iso(t.pause?.since ?? t.registeredAt),
        summary: `target ${t.key} paused${t.deadLetter ? ' (dead-lettered)' : t.breaker.state !== 'closed' ? ` (breaker ${t.breaker.state.replace('_', '-')})` : ''}: not polled until resumed`,
        href: targetHref(t.key),
        tenant: t.spec.tenant ?? null,
        subject: t.key,
      })),
};
