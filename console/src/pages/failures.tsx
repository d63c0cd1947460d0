import { Fragment, useEffect, useState } from 'react';
import { Link } from 'wouter';
import { call, qs } from '../api/client';
import { useLiveQuery } from '../api/live';
import type { Affected, BulkRetryAnswer, FailureGroup, FailureGroups } from '../api/operations-types';
import { Action } from '../components/action';
import { LiveOnlyNote } from '../components/live-only';
import { Panel, Time } from '../components/panel';
import { useCan } from '../session';
import { useUrlParams } from '../url-state';

const WINDOWS: Record<string, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };
const REFETCH = ['failures', 'runs', 'run', 'jobs', 'job', 'attention', 'audit'];

/**
 * What a bulk retry would do, asked when its dialog opens (a dry run records nothing): the API
 * wants that count back as `confirm`, so a selection that changed meanwhile is refused, not retried.
 */
function DryRun({ signature, from }: { signature: string; from: string }) {
  const [answer, setAnswer] = useState<BulkRetryAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    call<BulkRetryAnswer>('POST', `/api/failures/groups/${signature}/retry`, { reason: 'dry run from the console', dryRun: true, from }).then(
      (r) => current && setAnswer(r.data),
      (err: Error) => current && setError(err.message),
    );
    return () => {
      current = false;
    };
  }, [signature, from]);
  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!answer)
    return (
      <p className="muted" role="status">
        Asking which runs would be retried (dry run)…
      </p>
    );
  return (
    <>
      <p role="status">
        {answer.count === 0 ? 'No run would be retried now.' : `${answer.count} failed run${answer.count === 1 ? '' : 's'} would be retried now`}
        {answer.count > 0 && ', each as a new run with its parameters'}
        {answer.notRetried.length > 0 && `; ${answer.notRetried.length} would not`}.
      </p>
      {answer.notRetried.length > 0 && (
        <ul className="small">
          {answer.notRetried.slice(0, 5).map((n) => (
            <li key={n.runId}>
              {n.job} {n.runId.slice(0, 8)}: {n.reason}
            </li>
          ))}
        </ul>
      )}
      {answer.count > 0 && (
        <>
          <input type="hidden" name="confirm" value={answer.count} />
          <label className="inline confirm">
            <input type="checkbox" name="confirmed" /> Retry these {answer.count} runs
          </label>
        </>
      )}
    </>
  );
}

function BulkRetry({ group, from }: { group: FailureGroup; from: string }) {
  return (
    <Action
      label="Retry all"
      title={`Retry the failed runs of signature ${group.signature}`}
      description={
        <>
          <p className="mono small">{group.pattern}</p>
          <DryRun signature={group.signature} from={from} />
        </>
      }
      refetch={REFETCH}
      run={async (reason, form) => {
        if (form.confirm === undefined) throw new Error('Nothing to retry, or the dry run has not answered yet.');
        if (form.confirmed !== 'on') throw new Error('Tick the confirmation first.');
        const r = await call<BulkRetryAnswer>('POST', `/api/failures/groups/${group.signature}/retry`, { reason, confirm: Number(form.confirm), from });
        return `Retried ${r.data.count} run${r.data.count === 1 ? '' : 's'}${r.data.notRetried.length ? `, ${r.data.notRetried.length} not retried` : ''}`;
      }}
    />
  );
}

function AffectedList({ affected, href }: { affected: Affected | undefined; href: (name: string) => string }) {
  if (!affected) return <span className="muted">—</span>;
  return (
    <>
      {affected.top.map((a, i) => (
        <Fragment key={a.name ?? ''}>
          {i > 0 && ', '}
          {a.name === null ? 'none' : <Link href={href(a.name)}>{a.name}</Link>} <span className="muted">({a.count})</span>
        </Fragment>
      ))}
      {affected.total > affected.top.length && <span className="muted"> and {affected.total - affected.top.length} more</span>}
    </>
  );
}

/** Failures grouped by error signature (GET /api/failures/groups), with a bulk retry of a group's failed runs. */
export function FailuresPage() {
  const [f, setF] = useUrlParams(['source', 'window'] as const);
  const source = f.source === 'polls' ? 'polls' : 'runs';
  const span = WINDOWS[f.window] ? f.window : '24h';
  // To the minute, so the path is the same from one render to the next.
  const from = new Date(Math.floor(Date.now() / 60_000) * 60_000 - WINDOWS[span]).toISOString();
  const q = useLiveQuery<FailureGroups>(['failures', source, span], `/api/failures/groups${qs({ source, from, limit: 100 })}`);
  const canRetry = useCan('operator') && source === 'runs';
  const d = q.data?.data;
  const groups = d?.groups ?? [];
  return (
    <>
      <h1>Failures</h1>
      <LiveOnlyNote what="Failure groups" />
      <Panel
        title="Failure groups"
        queries={[q]}
        note="Failures with the same error, numbers, addresses and ids aside (the error signature), most frequent first."
      >
        <div className="filters" role="search" aria-label="Filter failure groups">
          <label>
            Source{' '}
            <select value={source} onChange={(e) => setF({ source: e.target.value === 'runs' ? '' : e.target.value })}>
              <option value="runs">job runs</option>
              <option value="polls">polls</option>
            </select>
          </label>
          <label>
            Window{' '}
            <select value={span} onChange={(e) => setF({ window: e.target.value === '24h' ? '' : e.target.value })}>
              {Object.keys(WINDOWS).map((w) => (
                <option key={w} value={w}>
                  last {w}
                </option>
              ))}
            </select>
          </label>
          {d && (
            <span className="muted small">
              {groups.length} group{groups.length === 1 ? '' : 's'}, {groups.reduce((a, g) => a + g.count, 0)} failures
            </span>
          )}
        </div>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Error</th>
                <th scope="col">Count</th>
                <th scope="col">First seen</th>
                <th scope="col">Last seen</th>
                <th scope="col">{source === 'runs' ? 'Jobs' : 'Targets'}</th>
                <th scope="col">Tenants</th>
                <th scope="col">{source === 'runs' ? 'Runs' : 'Signature'}</th>
                {canRetry && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => (
                <tr key={g.signature} data-signature={g.signature}>
                  <th scope="row">
                    <span className="mono small">{g.pattern}</span>
                    <div className="small muted">e.g. {g.example.error}</div>
                  </th>
                  <td className="num">{g.count}</td>
                  <td>
                    <Time iso={g.firstSeen} />
                  </td>
                  <td>
                    <Time iso={g.lastSeen} />
                  </td>
                  <td>
                    {source === 'runs' ? (
                      <AffectedList affected={g.jobs} href={(n) => `/jobs/${encodeURIComponent(n)}`} />
                    ) : (
                      <AffectedList affected={g.targets} href={(n) => `/targets/${n}`} />
                    )}
                  </td>
                  <td>
                    {g.tenants.top.length ? g.tenants.top.map((t) => `${t.name ?? 'none'} (${t.count})`).join(', ') : <span className="muted">none</span>}
                  </td>
                  <td>
                    {source === 'runs' ? (
                      <Link href={`/runs${qs({ state: 'failed', signature: g.signature })}`}>
                        failed runs <span className="mono small">{g.signature}</span>
                      </Link>
                    ) : (
                      <span className="mono small">{g.signature}</span>
                    )}
                  </td>
                  {canRetry && d && (
                    <td>
                      <BulkRetry group={g} from={d.from} />
                    </td>
                  )}
                </tr>
              ))}
              {d && !groups.length && (
                <tr>
                  <td colSpan={canRetry ? 8 : 7} className="muted">
                    No {source === 'runs' ? 'run' : 'poll'} failed in the last {span}.
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
