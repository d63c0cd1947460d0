import { useEffect, useState } from 'react';
import { Link, useParams } from 'wouter';
import { ApiError, qs } from '../api/client';
import { useLiveQuery } from '../api/live';
import type { Job, Run } from '../api/types';
import { LiveOnlyNote } from '../components/live-only';
import { Badge, Panel, Time } from '../components/panel';
import { duration } from '../format';
import { useUrlParams } from '../url-state';
import { RunActions, RunsTable } from './job';
import { statusKind } from './jobs';

const STATES = ['pending', 'retrying', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled', 'expired'];
const SIGNATURE = /^[0-9a-f]{16}$/;

/** What the runs API refuses, said before asking it (docs/api.md: q is 3–200 characters, a signature 16 hex characters). */
function problemOf(text: string, signature: string): string | null {
  if (text && (text.length < 3 || text.length > 200)) return 'Text: 3 to 200 characters.';
  if (signature && !SIGNATURE.test(signature)) return 'Error signature: 16 hexadecimal characters (as on the failures page).';
  return null;
}

/** Runs by job, state, text in the error or log tail (q) and error signature (GET /api/runs); the filters live in the URL. */
export function RunsPage() {
  const [f, setF] = useUrlParams(['job', 'state', 'q', 'signature', 'limit'] as const);
  const limit = Number(f.limit) || 50;
  const [text, setText] = useState(f.q);
  const [signature, setSignature] = useState(f.signature);
  const [problem, setProblem] = useState<string | null>(null);
  // A link to another search (a signature in the table) changes the URL under the form.
  useEffect(() => setText(f.q), [f.q]);
  useEffect(() => setSignature(f.signature), [f.signature]);
  const jobs = useLiveQuery<{ jobs: Job[] }>(['jobs', null], '/api/jobs');
  const runs = useLiveQuery<{ runs: Run[] }>(
    ['runs', f.job, f.state, f.q, f.signature, limit],
    `/api/runs${qs({ job: f.job, state: f.state, q: f.q, signature: f.signature, limit })}`,
  );
  const refused = runs.error instanceof ApiError && runs.error.status === 400;
  const search = (e: React.FormEvent) => {
    e.preventDefault();
    const t = text.trim();
    const s = signature.trim().toLowerCase();
    const why = problemOf(t, s);
    setProblem(why);
    if (!why) setF({ q: t, signature: s });
  };
  const filtered = !!(f.job || f.state || f.q || f.signature);
  return (
    <>
      <h1>Runs</h1>
      <LiveOnlyNote what="The runs search" />
      <Panel title="Search" queries={[runs]}>
        <form className="filters" role="search" aria-label="Search runs" onSubmit={search} noValidate>
          <label>
            Job{' '}
            <select value={f.job} onChange={(e) => setF({ job: e.target.value })}>
              <option value="">all</option>
              {(jobs.data?.data.jobs ?? []).map((j) => (
                <option key={j.name}>{j.name}</option>
              ))}
            </select>
          </label>
          <label>
            State{' '}
            <select value={f.state} onChange={(e) => setF({ state: e.target.value })}>
              <option value="">all</option>
              {STATES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            Text <input type="search" name="q" value={text} onChange={(e) => setText(e.target.value)} placeholder="in the error or log tail" />
          </label>
          <label>
            Error signature{' '}
            <input
              name="signature"
              className="mono"
              value={signature}
              onChange={(e) => setSignature(e.target.value)}
              placeholder="16 hex characters"
              size={18}
            />
          </label>
          <label>
            Limit{' '}
            <select value={limit} onChange={(e) => setF({ limit: e.target.value === '50' ? '' : e.target.value })}>
              {[20, 50, 100, 200].map((x) => (
                <option key={x}>{x}</option>
              ))}
            </select>
          </label>
          <button type="submit">Search</button>
          {filtered && (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setProblem(null);
                setF({ job: '', state: '', q: '', signature: '' });
              }}
            >
              Clear
            </button>
          )}
        </form>
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        {f.signature && (
          <p className="note">
            Runs whose latest failure has signature <code>{f.signature}</code>: <Link href="/failures">failure groups</Link>.
          </p>
        )}
        {!refused && <RunsTable runs={runs.data?.data.runs ?? []} />}
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
