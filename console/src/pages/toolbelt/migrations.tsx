import { useLiveQuery } from '../../api/live';
import type { MigrationStatus } from '../../api/toolbelt-types';
import { LiveOnlyNote } from '../../components/live-only';
import { Badge, Panel, Time } from '../../components/panel';

/** Has this deploy finished migrating and rebuilding? (GET /api/system/migrations; read while a rebuild runs.) */
export function MigrationsPage() {
  // Two hooks on one query: the second polls every 2 s while the deploy is not settled (a rebuild's progress).
  const probe = useLiveQuery<MigrationStatus>(['migrations'], '/api/system/migrations');
  const q = useLiveQuery<MigrationStatus>(['migrations'], '/api/system/migrations', { pollMs: probe.data && !probe.data.data.settled ? 2000 : undefined });
  const data = q.data?.data;
  return (
    <>
      <h1>Migrations</h1>
      <LiveOnlyNote what="The migration status" />
      <Panel title="Deploy status" queries={[q]}>
        {data && (
          <p className="settled" data-settled={String(data.settled)}>
            {data.settled ? <Badge kind="ok">settled</Badge> : <Badge kind="warn">not settled</Badge>}{' '}
            {data.settled
              ? 'Every migration is applied and every projection runs its code version.'
              : `${data.pending.length} migration(s) pending, ${data.projections.filter((p) => !p.settled).length} projection(s) rebuilding or due.`}
          </p>
        )}
        {data?.lastRun && (
          <dl className="facts">
            <div className="fact">
              <dt>Last migration run</dt>
              <dd>
                <Time iso={data.lastRun.startedAt} /> on <span className="mono">{data.lastRun.instance}</span>
              </dd>
            </div>
            <div className="fact">
              <dt>Applied by it</dt>
              <dd>{data.lastRun.applied.length ? data.lastRun.applied.join(', ') : 'nothing to do'}</dd>
            </div>
            {data.lastRun.error && (
              <div className="fact">
                <dt>Error</dt>
                <dd className="error-text">{data.lastRun.error}</dd>
              </div>
            )}
          </dl>
        )}
        {data && data.unknownApplied.length > 0 && (
          <p className="warn-text">Applied in the database but unknown to this code (a rollback?): {data.unknownApplied.join(', ')}</p>
        )}
      </Panel>
      <Panel title="Projections" queries={[q]}>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Projection</th>
                <th scope="col">Version</th>
                <th scope="col">State</th>
                <th scope="col">Rebuild</th>
              </tr>
            </thead>
            <tbody>
              {(data?.projections ?? []).map((p) => (
                <tr key={p.name} data-projection={p.name}>
                  <th scope="row" className="mono">
                    {p.name}
                  </th>
                  <td className="num">
                    {p.version}
                    {p.storedVersion !== null && p.storedVersion !== p.version && <span className="small muted"> (stored {p.storedVersion})</span>}
                  </td>
                  <td>
                    <Badge kind={p.settled ? 'ok' : 'warn'}>{p.state}</Badge>
                  </td>
                  <td>
                    {p.rebuild.running && p.rebuild.progress !== null ? (
                      <>
                        <progress max={1} value={p.rebuild.progress} aria-label={`Rebuild of ${p.name}`} /> {Math.round(p.rebuild.progress * 100)} %
                      </>
                    ) : p.rebuild.pending ? (
                      'pending'
                    ) : (
                      <span className="muted">—</span>
                    )}
                    {p.rebuild.reason && <div className="small muted">{p.rebuild.reason}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
      <Panel title="Migrations" queries={[q]}>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Migration</th>
                <th scope="col">State</th>
                <th scope="col">Applied</th>
              </tr>
            </thead>
            <tbody>
              {(data?.migrations ?? [])
                .slice()
                .reverse()
                .map((m) => (
                  <tr key={m.name} data-migration={m.name}>
                    <th scope="row" className="mono">
                      {m.name}
                    </th>
                    <td>
                      <Badge kind={m.state === 'applied' ? 'ok' : 'warn'}>{m.state}</Badge>
                    </td>
                    <td>{m.appliedAt ? <Time iso={m.appliedAt} /> : <span className="muted">before it was recorded</span>}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      </Panel>
    </>
  );
}
