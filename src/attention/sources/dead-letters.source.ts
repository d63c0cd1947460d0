import type { AttentionSource } from '../attention-source';
import { iso, oneLine, targetHref } from '../attention-source';

/** Dead-lettered targets: out of rotation until their next retry or a redrive. Critical: what they watch goes unwatched. */
export const deadLettersSource: AttentionSource = {
  name: 'dead-letters',
  kinds: ['dead_letter'],
  reach: 'tenant',
  items: ({ targets }) =>
    targets
      .filter((t) => t.deadLetter && !t.paused)
      .map((t) => {
        const dl = t.deadLetter!;
        const last = t.lastError
          ? `; last: ${oneLine(`${t.lastError.failureKind}${t.lastError.statusCode ? ` ${t.lastError.statusCode}` : ''} ${t.lastError.message}`, 80)}`
          : '';
        return {
          kind: 'dead_letter',
          severity: 'critical',
          // The first failure of the streak that dead-lettered it.
          since: iso(dl.firstAttempt),
          summary: `target ${t.key} dead-lettered (${dl.reason}), next retry ${iso(dl.nextRetry)}${last}`,
          href: targetHref(t.key),
          tenant: t.spec.tenant ?? null,
          subject: t.key,
        };
      }),
};
