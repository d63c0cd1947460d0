import type { AttentionSource } from '../attention-source';
import { iso, oneLine, targetHref } from '../attention-source';

/**
 * Targets whose breaker is open or half-open: polls are skipped until a trial succeeds. Warning.
 * A dead-lettered or paused target shows under that kind instead (one item per target).
 */
export const breakersSource: AttentionSource = {
  name: 'breakers',
  kinds: ['breaker'],
  reach: 'tenant',
  items: ({ targets }) =>
    targets
      .filter((t) => t.breaker.state !== 'closed' && !t.deadLetter && !t.paused)
      .map((t) => {
        const b = t.breaker;
        const last = t.lastError ? `; last: ${oneLine(`${t.lastError.failureKind}${t.lastError.statusCode ? ` ${t.lastError.statusCode}` : ''}`, 80)}` : '';
        const next = b.state === 'open' && b.retryAt ? `, trial at ${iso(b.retryAt)}` : b.state === 'half_open' ? ', trial under way' : '';
        return {
          kind: 'breaker',
          severity: 'warning',
          // When the failing streak began (the breaker opened on it); the transition time otherwise.
          since: iso(t.firstFailureAt ?? b.since ?? t.registeredAt),
          summary: `target ${t.key} breaker ${b.state.replace('_', '-')} after ${b.failureCount} failures${next}${last}`,
          href: targetHref(t.key),
          tenant: t.spec.tenant ?? null,
          subject: t.key,
        };
      }),
};
