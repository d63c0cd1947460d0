import { call } from '../api/client';
import { useLiveQuery } from '../api/live';
import type { Projection } from '../api/types';
import { Action } from '../components/action';
import { LiveOnlyNote } from '../components/live-only';
import { Badge, Panel, Time } from '../components/panel';

/** Read models: state and lag; a rebuild shows its progress (polled each second while it runs). */
export function ProjectionsPage() {
  const probe = useLiveQuery<{ projections: Projection[] }>(['projections'], '/api/projections');
  const list = probe.data?.data.projections ?? [];
  const rebuilding = list.some((p) => p.rebuild || p.state === 'rebuilding' || (p.rebuildRequestedAt && (!p.rebuiltAt || p.rebuildRequestedAt > p.rebuiltAt)));
  const q = useLiveQuery<{ projections: Projection[] }>(['projections'], '/api/projections', { pollMs: rebuilding ? 1000 : undefined });
  const head = Math.max(0, ...list.map((p) => p.position + p.lag.events));
  return (
    <>
      <h1>Projections</h1>
      <LiveOnlyNote what="Projection status" />
      <Panel title="Read models" queries={[q]}>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Projection</th>
                <th scope="col">State</th>
                <th scope="col">Lag</th>
                <th scope="col">Events</th>
                <th scope="col">Last event</th>
                <th scope="col">Rebuild</th>
              </tr>
            </thead>
            <tbody>
              {list.map((p) => (
                <tr key={p.name} data-projection={p.name}>
                  <th scope="row">
                    {p.name} <span className="muted small">v{p.version}</span>
                    {p.error && <div className="small error-text">{p.error}</div>}
                  </th>
                  <td>
                    <Badge kind={p.state === 'live' ? 'ok' : p.state === 'failed' ? 'bad' : 'warn'}>{p.state}</Badge>
                  </td>
                  <td className="num">
                    {p.lag.events} events
                    <div className="small muted">{p.lag.seconds} s</div>
                  </td>
                  <td className="num">{p.eventsProcessed}</td>
                  <td>
                    <Time iso={p.lastEventAt} />
                  </td>
                  <td>
                    {p.rebuild ? (
                      <>
                        <progress max={Math.max(head, 1)} value={p.rebuild.position} aria-label={`Rebuild of ${p.name}`} />
                        <div className="small">
                          {p.rebuild.position} / {head} · {p.rebuild.reason}
                        </div>
                      </>
                    ) : (
                      <>
                        {p.rebuiltAt && (
                          <div className="small muted">
                            rebuilt <Time iso={p.rebuiltAt} />
                          </div>
                        )}
                        <Action
                          label="Rebuild"
                          title={`Rebuild ${p.name}`}
                          description={<p>Folds the whole log into a shadow table while the live one keeps serving, then swaps them.</p>}
                          refetch={['projections']}
                          run={(reason) => call('POST', `/api/projections/${p.name}/rebuild`, { reason }).then(() => 'Rebuild requested')}
                        />
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
    </>
  );
}
