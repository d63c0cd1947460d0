import type { Hold } from '../api/hold-types';
import { Time } from './panel';

/** "paused", "tenant acme's targets paused", "tenant acme in maintenance": what holds, in words. */
export function holdLabel(h: Hold): string {
  if (h.source === 'maintenance') return `tenant ${h.subject} in maintenance`;
  if (h.scope === 'tenant-jobs') return `tenant ${h.subject}'s jobs paused`;
  if (h.scope === 'tenant-targets') return `tenant ${h.subject}'s targets paused`;
  return 'paused';
}

/** Who holds it, why and until when: beside the paused state on tables and drill-ins. */
export function HoldNote({ hold }: { hold: Hold | null | undefined }) {
  if (!hold) return null;
  return (
    <div className="small hold-note" data-hold={`${hold.source}:${hold.scope}`}>
      {holdLabel(hold)} by {hold.by} <Time iso={hold.since} />: “{hold.reason}” ·{' '}
      {hold.until ? (
        <>
          until <Time iso={hold.until} />
        </>
      ) : (
        'until lifted'
      )}
    </div>
  );
}
