import { Link } from 'wouter';
import { call } from '../api/client';
import type { Maintenance, Pause, PauseList } from '../api/hold-types';
import { useLiveQuery } from '../api/live';
import { Action } from '../components/action';
import { LiveOnlyNote } from '../components/live-only';
import { LoopPausesPanel } from '../components/loop-pauses';
import { Badge, Panel, Time } from '../components/panel';
import { PauseAction, RESUME_AT_FIELD, utcFromInput } from '../components/pause-action';
import { exact } from '../format';
import { useCan, useSession } from '../session';

const REFETCH = ['jobs', 'job', 'targets', 'target', 'scheduler-health'];

/** The pause routes of a paused subject (POST <base>/pause, <base>/resume). */
export function pauseBase(p: Pick<Pause, 'scope' | 'subject'>): string {
  const s = encodeURIComponent(p.subject);
  if (p.scope === 'job') return `/api/jobs/${s}`;
  if (p.scope === 'target') return `/api/targets/${s}`;
  return `/api/tenants/${s}/${p.scope === 'tenant-jobs' ? 'jobs' : 'targets'}`;
}

function What({ p }: { p: Pause }) {
  if (p.scope === 'job') return <Link href={`/jobs/${encodeURIComponent(p.subject)}`}>job {p.subject}</Link>;
  if (p.scope === 'target') return <Link href={`/targets/${encodeURIComponent(p.subject)}`}>target {p.subject}</Link>;
  return (
    <>
      every {p.scope === 'tenant-jobs' ? 'job' : 'target'} of tenant {p.subject}
    </>
  );
}

const describe = (p: Pause) =>
  p.scope === 'job' ? `job ${p.subject}` : p.scope === 'target' ? p.subject : `the ${p.scope === 'tenant-jobs' ? 'jobs' : 'targets'} of tenant ${p.subject}`;

/** Pause a tenant's jobs, its targets, or both, with one reason (operator; a scoped session: its own tenant). */
function PauseTenant() {
  const { tenant } = useSession();
  return (
    <Action
      label="Pause a tenant"
      title="Pause a tenant's jobs or targets"
      description={
        <p>Paused jobs skip their cron ticks and keep queued runs waiting; paused targets are not polled. Both last until resumed (or the time below).</p>
      }
      fields={
        <fieldset className="params">
          <legend>What</legend>
          <label>
            Tenant <input name="tenant" defaultValue={tenant ?? ''} readOnly={!!tenant} required placeholder="acme" />
          </label>
          <label className="inline">
            <input type="checkbox" name="jobs" defaultChecked /> its jobs
          </label>
          <label className="inline">
            <input type="checkbox" name="targets" defaultChecked /> its targets
          </label>
          {RESUME_AT_FIELD}
        </fieldset>
      }
      refetch={['pauses', ...REFETCH]}
      run={async (reason, form) => {
        const t = (form.tenant ?? '').trim();
        if (!t) throw new Error('tenant: name the tenant to pause');
        const what = (['jobs', 'targets'] as const).filter((k) => form[k] === 'on');
        if (!what.length) throw new Error('Tick its jobs, its targets, or both.');
        const resumeAt = utcFromInput(form.resumeAt);
        for (const k of what) await call('POST', `/api/tenants/${encodeURIComponent(t)}/${k}/pause`, { reason, ...(resumeAt ? { resumeAt } : {}) });
        return `Paused the ${what.join(' and ')} of tenant ${t}`;
      }}
    />
  );
}

/** Everything held now: operators' pauses of jobs, targets and tenants, the whole loops, tenants in maintenance. */
export function HoldsPage() {
  const canAct = useCan('operator');
  const pauses = useLiveQuery<PauseList>(['pauses'], '/api/pauses');
  const windows = useLiveQuery<{ items: Maintenance[] }>(['maintenance', 'list'], '/api/maintenance');
  const items = pauses.data?.data.pauses ?? [];
  const open = (windows.data?.data.items ?? []).filter((m) => m.status !== 'none');
  return (
    <>
      <h1>Holds</h1>
      <LiveOnlyNote what="The holds list" />
      <Panel
        title="Paused now"
        queries={[pauses]}
        note="A pause of one job or target, or of every job or target of a tenant, by an operator, with why and until when."
        actions={canAct ? <PauseTenant /> : null}
      >
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">What</th>
                <th scope="col">Tenant</th>
                <th scope="col">Paused by</th>
                <th scope="col">Why</th>
                <th scope="col">Until</th>
                {canAct && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={`${p.scope}:${p.subject}`} data-pause={`${p.scope}:${p.subject}`}>
                  <th scope="row">
                    <What p={p} />
                  </th>
                  <td>{p.tenant ?? <span className="muted">none</span>}</td>
                  <td>
                    {p.pausedBy} <Time iso={p.pausedAt} />
                  </td>
                  <td>“{p.reason}”</td>
                  <td>{p.resumeAt ? <Time iso={p.resumeAt} /> : <span className="muted">until resumed</span>}</td>
                  {canAct && (
                    <td>
                      <PauseAction what={describe(p)} base={pauseBase(p)} paused refetch={REFETCH} />
                    </td>
                  )}
                </tr>
              ))}
              {pauses.data && !items.length && (
                <tr>
                  <td colSpan={canAct ? 6 : 5} className="muted">
                    Nothing is paused.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </Panel>
      <LoopPausesPanel />
      <Panel
        title="Tenants in maintenance"
        queries={[windows]}
        note={
          <>
            A maintenance window holds every job and target of its tenant. <Link href="/maintenance">Schedule or end one</Link>.
          </>
        }
      >
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Tenant</th>
                <th scope="col">Status</th>
                <th scope="col">Banner</th>
                <th scope="col">Window</th>
              </tr>
            </thead>
            <tbody>
              {open.map((m) => (
                <tr key={m.tenant} data-maintenance={m.tenant}>
                  <th scope="row">{m.tenant}</th>
                  <td>
                    <Badge kind={m.status === 'active' ? 'bad' : 'info'}>{m.status}</Badge> <span className="small">{m.window?.mode}</span>
                  </td>
                  <td>{m.window?.banner}</td>
                  <td>
                    {/* One block: on a phone a cell lays its children out as a row. */}
                    <div>
                      <Time iso={m.window?.startsAt} /> – {m.window?.endsAt ? <Time iso={m.window.endsAt} /> : 'until ended'}
                      <div className="small muted">
                        {exact(m.window?.startsAt)} – {m.window?.endsAt ? exact(m.window.endsAt) : 'open'}
                      </div>
                    </div>
                  </td>
                </tr>
              ))}
              {windows.data && !open.length && (
                <tr>
                  <td colSpan={4} className="muted">
                    No tenant is in maintenance or has a window scheduled.
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
