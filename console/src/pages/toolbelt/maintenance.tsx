import { call } from '../../api/client';
import type { Maintenance } from '../../api/hold-types';
import { useLiveQuery } from '../../api/live';
import { Action } from '../../components/action';
import { LiveOnlyNote } from '../../components/live-only';
import { Badge, Panel, Time } from '../../components/panel';
import { utcFromInput } from '../../components/pause-action';
import { exact } from '../../format';
import { useCan, useSession } from '../../session';

const REFETCH = ['maintenance', 'pauses', 'jobs', 'job', 'targets', 'target'];
const HOW: Record<string, string> = { ended_early: 'ended early', window_closed: 'closed at its end', rescheduled: 'replaced', cancelled: 'called off' };

/** Start or schedule a tenant's window (replacing its current one): mode, banner, optional start and end. */
function ScheduleMaintenance({ tenant, label = 'Schedule maintenance' }: { tenant?: string; label?: string }) {
  const session = useSession();
  const fixed = session.tenant ?? tenant;
  return (
    <Action
      label={label}
      title={fixed ? `Maintenance for tenant ${fixed}` : 'Schedule maintenance for a tenant'}
      description={
        <p>
          While it lasts the tenant&apos;s own tokens get 503 with the banner — on changes (read-only) or on everything (offline) — and its polls and job runs
          are held. Without a start it begins now; without an end it lasts until ended. It replaces the tenant&apos;s current window.
        </p>
      }
      fields={
        <fieldset className="params">
          <legend>Window</legend>
          <label>
            Tenant <input name="tenant" defaultValue={fixed ?? ''} readOnly={!!fixed} required placeholder="acme" />
          </label>
          <label>
            Mode{' '}
            <select name="mode" defaultValue="read_only">
              <option value="read_only">read-only (changes refused)</option>
              <option value="offline">offline (every request refused)</option>
            </select>
          </label>
          <label>
            Banner <input name="banner" required maxLength={500} placeholder="Scheduled maintenance: changes are paused until 14:00 UTC." />
          </label>
          <label>
            Starts (UTC, optional) <input type="datetime-local" name="startsAt" />
          </label>
          <label>
            Ends (UTC, optional) <input type="datetime-local" name="endsAt" />
          </label>
        </fieldset>
      }
      refetch={REFETCH}
      run={async (reason, form) => {
        const t = (form.tenant ?? '').trim();
        if (!t) throw new Error('tenant: name the tenant');
        const startsAt = utcFromInput(form.startsAt);
        const endsAt = utcFromInput(form.endsAt);
        const { data } = await call<Maintenance>('PUT', `/api/tenants/${encodeURIComponent(t)}/maintenance`, {
          mode: form.mode,
          banner: form.banner,
          reason,
          ...(startsAt ? { startsAt } : {}),
          ...(endsAt ? { endsAt } : {}),
        });
        return `Tenant ${t}: maintenance ${data.status}`;
      }}
    />
  );
}

/** Per-tenant maintenance windows: who is in one or has one coming, the last that finished; admins schedule and end them. */
export function MaintenancePage() {
  const admin = useCan('admin');
  const q = useLiveQuery<{ items: Maintenance[] }>(['maintenance', 'list'], '/api/maintenance');
  const items = q.data?.data.items ?? [];
  return (
    <>
      <h1>Maintenance</h1>
      <LiveOnlyNote what="The maintenance list" />
      <Panel
        title="Windows"
        queries={[q]}
        note="Each tenant that has had a window: its current one (scheduled or active, by the clock) and the last that finished."
        actions={admin ? <ScheduleMaintenance /> : null}
      >
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Tenant</th>
                <th scope="col">Status</th>
                <th scope="col">Banner</th>
                <th scope="col">Window</th>
                <th scope="col">Scheduled by</th>
                <th scope="col">Last finished</th>
                {admin && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {items.map((m) => {
                const w = m.window;
                return (
                  <tr key={m.tenant} data-maintenance={m.tenant}>
                    <th scope="row">{m.tenant}</th>
                    <td>
                      <Badge kind={m.status === 'active' ? 'bad' : m.status === 'scheduled' ? 'info' : 'muted'}>{m.status}</Badge>
                      {w && <div className="small">{w.mode === 'read_only' ? 'read-only' : 'offline'}</div>}
                    </td>
                    <td>{w ? w.banner : <span className="muted">—</span>}</td>
                    <td>
                      {w ? (
                        <div>
                          <Time iso={w.startsAt} /> – {w.endsAt ? <Time iso={w.endsAt} /> : 'until ended'}
                          <div className="small muted">
                            {exact(w.startsAt)} – {w.endsAt ? exact(w.endsAt) : 'open'}
                          </div>
                        </div>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td>
                      {w ? (
                        <div>
                          {w.scheduledBy} <Time iso={w.scheduledAt} />
                          <div className="small muted">“{w.reason}”</div>
                        </div>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td>
                      {m.last ? (
                        <div>
                          {HOW[m.last.how] ?? m.last.how} <Time iso={m.last.endedAt} />
                          {m.last.by && (
                            <div className="small muted">
                              by {m.last.by}: “{m.last.reason}”
                            </div>
                          )}
                        </div>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    {admin && (
                      <td>
                        <span className="action-row">
                          {w && (
                            <Action
                              label={m.status === 'active' ? 'End now' : 'Call off'}
                              title={`${m.status === 'active' ? 'End the maintenance' : 'Call off the maintenance'} of tenant ${m.tenant}`}
                              danger={m.status === 'active'}
                              refetch={REFETCH}
                              run={(reason) =>
                                call('DELETE', `/api/tenants/${encodeURIComponent(m.tenant)}/maintenance`, { reason }).then(() =>
                                  m.status === 'active' ? 'Ended' : 'Called off',
                                )
                              }
                            />
                          )}
                          <ScheduleMaintenance tenant={m.tenant} label={w ? 'Replace' : 'Schedule'} />
                        </span>
                      </td>
                    )}
                  </tr>
                );
              })}
              {q.data && !items.length && (
                <tr>
                  <td colSpan={admin ? 7 : 6} className="muted">
                    No tenant has had a maintenance window.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </Panel>
    </>
  );
}
