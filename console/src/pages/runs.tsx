import { useState } from 'react';
import { Link, useParams } from 'wouter';
import { qs } from '../api/client';
import { useLiveQuery } from '../api/live';
import type { Job, Run } from '../api/types';
import { LiveOnlyNote } from '../components/live-only';
import { Badge, Panel, Time } from '../components/panel';
import { duration } from '../format';
import { RunActions, RunsTable } from './job';
import { statusKind } from './jobs';

const STATES = ['pending', 'retrying', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled', 'expired'];

/** Runs by job and state (GET /api/runs); text and error-signature search come with failure groups. */
export function RunsPage() {
  const [job, setJob] = useState('');
  const [state, setState] = useState('');
  const [limit, setLimit] = useState(50);
  const jobs = useLiveQuery<{ jobs: Job[] }>(['jobs', null], '/api/jobs');
  const runs = useLiveQuery<{ runs: Run[] }>(['runs', job, state, limit], `/api/runs${qs({ job, state, limit })}`);
  return (
    <>
      <h1>Runs</h1>
      <LiveOnlyNote what="The runs search" />
      <Panel title="Search" queries={[runs]}>
        <div className="filters" role="search" aria-label="Filter runs">
          <label>
            Job{' '}
            <select value={job} onChange={(e) => setJob(e.target.value)}>
              <option value="">all</option>
              {(jobs.data?.data.jobs ?? []).map((j) => (
                <option key={j.name}>{j.name}</option>
              ))}
            </select>
          </label>
          <label>
            State{' '}
            <select value={state} onChange={(e) => setState(e.target.value)}>
              <option value="">all</option>
              {STATES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            Limit{' '}
            <select value={limit} onChange={(e) => setLimit(Number(e.target.value))}>
              {[20, 50, 100, 200].map((x) => (
                <option key={x}>{x}</option>
              ))}
            </select>
          </label>
        </div>
        <RunsTable runs={runs.data?.data.runs ?? []} />
      </Panel>
    </>
  );
}

/** One run and every event of its stream. */
export function RunPage() {
  const { id } = useParams<{ id: string }>();
  const q = useLiveQuery<{ run: Run; events: { revision: number; type: string; at: string; actor: string | null; data: unknown }[] }>(
    ['run', id],
    `/api/runs/${id}`,
  );
  const r = q.data?.data.run;
  return (
    <>
      <p className="crumbs">
        <Link href="/runs">Runs</Link> / {id?.slice(0, 8)}
      </p>
      <h1>Run {id?.slice(0, 8)}</h1>
      <Panel title="Run" queries={[q]} actions={r ? <RunActions run={r} /> : null}>
        {r && (
          <dl className="facts">
            <dt>Job</dt>
            <dd>
              <Link href={`/jobs/${encodeURIComponent(r.job)}`}>{r.job}</Link>
            </dd>
            <dt>State</dt>
            <dd>
              <Badge kind={statusKind(r.state)}>{r.state}</Badge> {r.error}
            </dd>
            <dt>Created</dt>
            <dd>
              <Time iso={r.createdAt} />
            </dd>
            <dt>Duration</dt>
            <dd>{duration(r.durationMs)}</dd>
            <dt>Parameters</dt>
            <dd className="mono">{JSON.stringify(r.params)}</dd>
            <dt>Operator</dt>
            <dd>
              {r.actor ?? 'schedule'}
              {r.reason ? ` — “${r.reason}”` : ''}
            </dd>
          </dl>
        )}
        {r?.logTail && <pre className="log">{r.logTail}</pre>}
      </Panel>
      <Panel title="Events" queries={[q]}>
        <ol className="events" tabIndex={0} aria-label="Events of the run">
          {(q.data?.data.events ?? []).map((e) => (
            <li key={e.revision}>
              <Time iso={e.at} /> <span className="etype">{e.type}</span> <span className="muted small">{e.actor}</span>{' '}
              <code className="small">{JSON.stringify(e.data)}</code>
            </li>
          ))}
        </ol>
      </Panel>
    </>
  );
}
