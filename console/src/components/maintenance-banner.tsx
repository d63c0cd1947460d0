import { ApiError } from '../api/client';
import type { MaintenanceBannerState } from '../api/hold-types';
import { useLiveQuery } from '../api/live';
import { exact } from '../format';
import { useSession } from '../session';
import { Time } from './panel';
import './holds.css';

const MODE: Record<string, string> = { read_only: 'read-only: changes are refused', offline: 'offline: requests are refused' };

/**
 * The banner of the signed-in tenant's maintenance window, on every page (the public banner state,
 * GET /api/maintenance/:tenant, which stays open to a tenant in maintenance). An upcoming window is
 * announced. Unscoped sessions are never held: they see the windows on the Maintenance page.
 */
export function MaintenanceBanner() {
  const { tenant } = useSession();
  // Polled as well as pushed: a scheduled window opens by the clock.
  const q = useLiveQuery<MaintenanceBannerState>(['maintenance', 'banner', tenant], tenant ? `/api/maintenance/${encodeURIComponent(tenant)}` : null, {
    pollMs: 30_000,
  });
  const m = q.data?.data;
  if (!tenant || !m?.banner) return null;
  return (
    <div className={`maintenance-banner ${m.active ? 'maintenance-active' : 'maintenance-upcoming'}`} role="region" aria-label="Maintenance">
      <strong>{m.active ? `Maintenance (${MODE[m.mode ?? ''] ?? m.mode})` : 'Maintenance scheduled'}:</strong> {m.banner}{' '}
      <span className="small">
        {m.active ? (
          m.endsAt ? (
            <>
              Ends <Time iso={m.endsAt} /> ({exact(m.endsAt)}).
            </>
          ) : (
            'Until an admin ends it.'
          )
        ) : (
          <>
            Starts <Time iso={m.startsAt} /> ({exact(m.startsAt)}).
          </>
        )}
      </span>
    </div>
  );
}

/** The session could not be read: a tenant in offline maintenance gets its banner (every route of its token answers 503), anything else the error. */
export function SessionError({ error }: { error: Error }) {
  const m =
    error instanceof ApiError && error.status === 503
      ? (error.body as { maintenance?: { banner: string; endsAt: string | null } } | null)?.maintenance
      : undefined;
  if (!m) return <p className="error center">{error.message}</p>;
  return (
    <div className="maintenance-banner maintenance-active center" role="region" aria-label="Maintenance">
      <strong>Maintenance:</strong> {m.banner} {m.endsAt ? `Back at ${exact(m.endsAt)}.` : ''}
      <p className="small">{error.message}</p>
    </div>
  );
}
