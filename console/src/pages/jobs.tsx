import { Link } from 'wouter';
import { call, qs } from '../api/client';
import { useLiveQuery } from '../api/live';
import type { Job } from '../api/types';
import { useAt, withAt } from '../at';
import { Action } from '../components/action';
import { holdLabel, HoldNote } from '../components/hold-note';
import { Badge, Panel, Time } from '../components/panel';
import { paramsFrom, RunParamFields } from '../components/run-params';
import { duration, exact } from '../format';
import { useCan } from '../session';

/** Above this many waiting runs a job is piling up (the API's sla.pilingUp): its pending count is red. */
export const PENDING_LARGE = 10;

export function RunNow({ job }: { job: Job }) {
  const admin = useCan('admin');
  return (
    <Action
      label="Run now"
      title={`Run ${job.name} now`}
      description={
        <>
          <p>Queues one run with these parameters.</p>
          {job.hold && (
            <p>
              It is held ({holdLabel(job.hold)} by {job.hold.by}: “{job.hold.reason}”): run-now is refused{admin ? ' unless you force it' : ''}.
            </p>
          )}
        </>
      }
      fields={
        <>
          <RunParamFields accepts={job.params} tenantFixed={job.tenant} />
          {job.hold && admin && (
            <label className="inline">
              <input type="checkbox" name="force" /> Run it anyway (force: workers claim it through the hold)
            </label>
          )}
        </>
      }
      disabled={!job.manualRun}
      disabledReason={
        job.manualRun ? undefined : `manualRun=false: not safe to run twice, it runs only on its schedule${job.schedule.cron ? ` (${job.schedule.cron})` : ''}`
      }
      refetch={['jobs', 'job', 'runs', 'system']}
      run={async (reason, form) => {
        const { data } = await call<{ runId: string }>('POST', `/api/jobs/${encodeURIComponent(job.name)}/run`, {
          reason,
          params: paramsFrom(form),
          ...(form.force === 'on' ? { force: true } : {}),
        });
        return `Queued run ${data.runId.slice(0, 8)}…`;
      }}
    />
  );
}

export function statusKind(s: string | undefined): 'ok' | 'warn' | 'bad' | 'info' | 'muted' {
  if (s === 'succeeded') return 'ok';
  if (s === 'failed' || s === 'expired') return 'bad';
  if (s === 'running' || s === 'cancelling' || s === 'retrying') return 'warn';
  if (s === 'pending') return 'info';
  return 'muted';
}

/** The job inventory: every job, its schedule, next run, backlog, last run and SLA flags. */
export function JobsPage() {
  const [at] = useAt();
  const canRun = useCan('operator');
  const jobs = useLiveQuery<{ jobs: Job[] }>(['jobs', at], `/api/jobs${qs({ at })}`, { past: !!at });
  const list = jobs.data?.data.jobs ?? [];
  const now = at ? Date.parse(at) : undefined;
  return (
    <>
      <h1>Jobs</h1>
      <Panel title="Inventory" queries={[jobs]}>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Schedule</th>
                <th scope="col">Priority</th>
                <th scope="col">Next run</th>
                <th scope="col">Pending</th>
                <th scope="col">Last run</th>
                <th scope="col">SLA</th>
                {canRun && !at && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {list.map((j) => (
                <tr key={j.name} data-job={j.name}>
                  <th scope="row">
                    <Link href={withAt(`/jobs/${encodeURIComponent(j.name)}`, at)}>{j.name}</Link>
                    {j.description && <div className="muted small">{j.description}</div>}
                    {j.tenant && <div className="small">tenant {j.tenant}</div>}
                    {j.hold && <Badge kind="muted">held</Badge>}
                    <HoldNote hold={j.hold} />
                  </th>
                  <td>
                    {j.schedule.text}
                    {j.schedule.cron && (
                      <div className="mono small muted">
                        {j.schedule.cron} ({j.schedule.timezone})
                      </div>
                    )}
                  </td>
                  <td>{j.priority}</td>
                  <td>
                    {j.nextRunAt ? (
                      <>
                        <Time iso={j.nextRunAt} now={now} />
                        <div className="small muted">{exact(j.nextRunAt)}</div>
                      </>
                    ) : (
                      <span className="muted">on demand</span>
                    )}
                  </td>
                  <td
                    className={`num ${j.pending > PENDING_LARGE ? 'pending-large' : ''}`}
                    data-pending={j.pending}
                    title={j.pending > PENDING_LARGE ? `more than ${PENDING_LARGE} waiting: piling up` : undefined}
                  >
                    {j.pending}
                    {j.running > 0 && <div className="small muted">{j.running} running</div>}
                  </td>
                  <td>
                    {j.lastRun ? (
                      <>
                        <Badge kind={statusKind(j.lastRun.status)}>{j.lastRun.status}</Badge> <Time iso={j.lastRun.at} now={now} />
                        <div className="small muted">{duration(j.lastRun.durationMs)}</div>
                      </>
                    ) : (
                      <span className="muted">never</span>
                    )}
                  </td>
                  <td>
                    {j.sla.runningBeyondTarget && <Badge kind="bad">over target ({duration(j.sla.longestRunningMs)})</Badge>}
                    {j.sla.pilingUp && <Badge kind="bad">piling up</Badge>}
                    {j.missedTicks > 0 && <Badge kind="warn">{j.missedTicks} missed</Badge>}
                    {!j.sla.attention && !j.missedTicks && (
                      <span className="muted small">{j.sla.targetDurationMs ? `target ${duration(j.sla.targetDurationMs)}` : 'ok'}</span>
                    )}
                  </td>
                  {canRun && !at && (
                    <td>
                      <RunNow job={j} />
                    </td>
                  )}
                </tr>
              ))}
              {!list.length && (
                <tr>
                  <td colSpan={8} className="muted">
                    No jobs defined (OPSLEDGER_CONFIG jobs, or JOB_CATALOG in code).
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
