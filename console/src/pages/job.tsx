import { Fragment, useState } from 'react';
import { Link, useParams } from 'wouter';
import { call } from '../api/client';
import { useLiveQuery } from '../api/live';
import type { Job, Run } from '../api/types';
import type { PauseList } from '../api/hold-types';
import { Action } from '../components/action';
import { HoldNote } from '../components/hold-note';
import { PauseAction } from '../components/pause-action';
import { LiveOnlyNote } from '../components/live-only';
import { Badge, Panel, Time } from '../components/panel';
import { paramsFrom, RunParamFields } from '../components/run-params';
import { TrendChart } from '../components/trend-chart';
import { duration, exact } from '../format';
import { useCan } from '../session';
import { RunNow, statusKind } from './jobs';

const REFETCH = ['job', 'jobs', 'runs', 'run', 'system'];

export function RunActions({ run, job }: { run: Run; job?: Pick<Job, 'cancellable' | 'manualRun' | 'params'> }) {
  const canAct = useCan('operator');
  if (!canAct) return null;
  const waiting = ['pending', 'retrying', 'running'].includes(run.state);
  const ended = ['failed', 'cancelled', 'expired'].includes(run.state);
  return (
    <span className="action-row">
      {waiting && (
        <Action
          label="Cancel"
          title={`Cancel run ${run.runId.slice(0, 8)}… of ${run.job}`}
          disabled={run.state === 'running' && job?.cancellable === false}
          disabledReason={run.state === 'running' && job?.cancellable === false ? 'not cancellable once running' : undefined}
          refetch={REFETCH}
          run={(reason) => call<{ state: string }>('POST', `/api/runs/${run.runId}/cancel`, { reason }).then((r) => `Now ${r.data.state}`)}
        />
      )}
      {ended && (
        <Action
          label="Retry"
          title={`Retry run ${run.runId.slice(0, 8)}… of ${run.job}`}
          description={<p>A new run with the same parameters, or adjust them below.</p>}
          fields={<RunParamFields accepts={job?.params ?? ['tenant', 'dryRun', 'timeRange', 'custom']} initial={run.params} />}
          disabled={job?.manualRun === false}
          disabledReason={job?.manualRun === false ? 'manualRun=false' : undefined}
          refetch={REFETCH}
          run={(reason, form) =>
            call<{ runId: string }>('POST', `/api/runs/${run.runId}/retry`, { reason, params: paramsFrom(form) }).then(
              (r) => `Queued ${r.data.runId.slice(0, 8)}…`,
            )
          }
        />
      )}
    </span>
  );
}

export function RunsTable({ runs, job }: { runs: Run[]; job?: Job }) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">State</th>
            <th scope="col">Created</th>
            <th scope="col">Duration</th>
            <th scope="col">Exit</th>
            <th scope="col">Operator</th>
            <th scope="col">Tenant</th>
            <th scope="col">Log</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <Fragment key={r.runId}>
              <tr data-run={r.runId}>
                <th scope="row">
                  <Link href={`/runs/${r.runId}`} className="mono">
                    {r.runId.slice(0, 8)}
                  </Link>
                  {!job && <div className="small">{r.job}</div>}
                  <div className="small muted">
                    {r.trigger}, attempt {r.attempt}/{r.maxAttempts}
                  </div>
                </th>
                <td>
                  <Badge kind={statusKind(r.state)}>{r.state}</Badge>
                  {r.error && <div className="small error-text">{r.error}</div>}
                  {r.errorSignature && (
                    <div className="small">
                      <Link href={`/runs?signature=${r.errorSignature}`} title="Every run whose latest failure has this signature">
                        signature <span className="mono">{r.errorSignature}</span>
                      </Link>
                    </div>
                  )}
                </td>
                <td>
                  <Time iso={r.createdAt} />
                </td>
                <td>{duration(r.durationMs)}</td>
                <td className="num">{r.exitCode ?? '—'}</td>
                <td>
                  {r.actor ?? <span className="muted">schedule</span>}
                  {r.reason && <div className="small muted">“{r.reason}”</div>}
                </td>
                <td>{r.tenant ?? <span className="muted">none</span>}</td>
                <td>
                  {r.logTail ? (
                    <button type="button" className="link" aria-expanded={open === r.runId} onClick={() => setOpen(open === r.runId ? null : r.runId)}>
                      {open === r.runId ? 'Hide' : 'Show'} log tail
                    </button>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  <RunActions run={r} job={job} />
                </td>
              </tr>
              {open === r.runId && (
                <tr className="log-row">
                  <td colSpan={9}>
                    <pre className="log">{r.logTail}</pre>
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
          {!runs.length && (
            <tr>
              <td colSpan={9} className="muted">
                No runs.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** One job: its inventory line, its last runs with their logs, and the 30-day failure trend. */
export function JobPage() {
  const { name: raw } = useParams<{ name: string }>();
  const name = decodeURIComponent(raw ?? '');
  const [n, setN] = useState(20);
  const q = useLiveQuery<{ job: Job; runs: Run[]; trend: { day: string; runs: number; failures: number }[] }>(
    ['job', name, n],
    `/api/jobs/${encodeURIComponent(name)}?runs=${n}`,
  );
  const d = q.data?.data;
  const canRun = useCan('operator');
  // Its own pause (a tenant-wide pause or a maintenance window may hold it too: `hold` says what decides).
  const pauses = useLiveQuery<PauseList>(['pauses'], canRun ? '/api/pauses' : null);
  const ownPause = pauses.data?.data.pauses.some((p) => p.scope === 'job' && p.subject === name) ?? false;
  const failures = d?.trend.reduce((a, t) => a + t.failures, 0) ?? 0;
  return (
    <>
      <p className="crumbs">
        <Link href="/jobs">Jobs</Link> / {name}
      </p>
      <h1>{name}</h1>
      <LiveOnlyNote what="A job's drill-in" />
      <Panel
        title="Job"
        queries={[q]}
        actions={
          d && canRun ? (
            <span className="action-row">
              <RunNow job={d.job} />
              {pauses.data && (
                <PauseAction
                  what={`job ${name}`}
                  base={`/api/jobs/${encodeURIComponent(name)}`}
                  paused={ownPause}
                  effect="Its cron ticks are recorded as skipped, run-now answers 409 (an admin may force it), queued runs wait until the resume."
                  refetch={REFETCH}
                />
              )}
            </span>
          ) : null
        }
      >
        {d && (
          <dl className="facts">
            <dt>Description</dt>
            <dd>{d.job.description ?? '—'}</dd>
            <dt>Schedule</dt>
            <dd>
              {d.job.schedule.text}{' '}
              {d.job.schedule.cron && (
                <span className="mono muted">
                  ({d.job.schedule.cron}, {d.job.schedule.timezone})
                </span>
              )}
            </dd>
            <dt>Next run</dt>
            <dd>
              {d.job.nextRunAt ? (
                <>
                  <Time iso={d.job.nextRunAt} /> ({exact(d.job.nextRunAt)})
                </>
              ) : (
                'on demand'
              )}
            </dd>
            <dt>Owner</dt>
            <dd>{d.job.owner ?? '—'}</dd>
            <dt>Handler</dt>
            <dd>
              {d.job.handler}
              {d.job.cancellable ? ', cancellable' : ''}
              {d.job.manualRun ? '' : ', manualRun=false'}
            </dd>
            <dt>Held</dt>
            <dd>
              {d.job.hold ? <HoldNote hold={d.job.hold} /> : 'no'}
              {!!d.job.skippedTicks && <div className="small muted">{d.job.skippedTicks} ticks skipped while held</div>}
            </dd>
            <dt>Pending / running</dt>
            <dd>
              {d.job.pending} / {d.job.running}
            </dd>
          </dl>
        )}
      </Panel>
      <Panel title="Failures, last 30 days" queries={[q]} note={`${failures} failed runs in 30 days (raw count; "unresolved" comes with failure groups).`}>
        {d && <TrendChart days={d.trend} label={`Runs and failures per day for ${name}: ${failures} failures in 30 days`} />}
      </Panel>
      <Panel
        title="Last runs"
        queries={[q]}
        actions={
          <label className="small">
            Show{' '}
            <select value={n} onChange={(e) => setN(Number(e.target.value))}>
              {[10, 20, 50, 100].map((x) => (
                <option key={x}>{x}</option>
              ))}
            </select>
          </label>
        }
      >
        {d && <RunsTable runs={d.runs} job={d.job} />}
      </Panel>
    </>
  );
}
