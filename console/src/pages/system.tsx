import { call, qs } from '../api/client';
import { useLiveQuery } from '../api/live';
import type { JobMetrics, Run, Worker } from '../api/types';
import { useAt } from '../at';
import { Action } from '../components/action';
import { LoopPausesPanel } from '../components/loop-pauses';
import { Badge, Panel, Time } from '../components/panel';
import { bandOf, duration } from '../format';
import { useSession } from '../session';
import { PENDING_LARGE, statusKind } from './jobs';

type Queue = { active: number; pending: number; completed: number; failed: number; retry: number; cancelled: number; expired: number };
const REFETCH = ['system', 'jobs', 'job', 'runs'];

/** System status: queue cards, workers, last 50 runs, 24 h metrics, and the housekeeping buttons. */
export function SystemPage() {
  const [at] = useAt();
  const session = useSession();
  const queue = useLiveQuery<Queue>(['system', 'queue', at], `/api/system/queue${qs({ at })}`, { past: !!at });
  const workers = useLiveQuery<{ workers: Worker[] }>(['system', 'workers', at], `/api/system/workers${qs({ at })}`, { past: !!at });
  const recent = useLiveQuery<{ runs: Run[] }>(['system', 'recent'], '/api/system/runs/recent');
  const metrics = useLiveQuery<{ jobs: JobMetrics[]; from: string; to: string }>(['system', 'metrics'], '/api/system/metrics?window=24h');
  const q = queue.data?.data;
  const cards: [string, number | undefined, string?][] = [
    ['Active', q?.active],
    ['Pending', q?.pending, q && q.pending > PENDING_LARGE ? 'card-bad' : ''],
    ['Retrying', q?.retry],
    ['Completed', q?.completed],
    ['Failed', q?.failed, q && q.failed > 0 ? 'card-bad' : ''],
    ['Cancelled', q?.cancelled],
    ['Expired', q?.expired],
  ];
  const confirmField = (
    <label className="inline confirm">
      <input type="checkbox" name="confirm" required /> I understand this cannot be undone
    </label>
  );
  const needConfirm = (form: Record<string, string>) => {
    if (form.confirm !== 'on') throw new Error('Tick the confirmation first.');
  };
  return (
    <>
      <h1>System status</h1>
      <Panel
        title="Queue"
        queries={[queue]}
        actions={
          at ? null : (
            <span className="action-row">
              {!session.tenant && (
                <Action
                  label="Run janitor"
                  title="Run the queue janitor now"
                  description={<p>Fails stuck active runs, cancels stale pending ones, drops old rows from the live view, reaps dead workers.</p>}
                  reasonRequired={false}
                  refetch={REFETCH}
                  run={(reason) =>
                    call<Record<string, number>>('POST', '/api/system/janitor', reason ? { reason } : {}).then(
                      (r) =>
                        `Janitor: ${
                          Object.entries(r.data)
                            .filter(([, v]) => v)
                            .map(([k, v]) => `${k} ${v}`)
                            .join(', ') || 'nothing to do'
                        }`,
                    )
                  }
                />
              )}
              <Action
                label="Fail active jobs"
                title="Fail every active run"
                danger
                description={<p>Every running run{session.tenant ? ` of tenant ${session.tenant}` : ''} is marked failed.</p>}
                fields={confirmField}
                confirmLabel="Fail active jobs"
                refetch={REFETCH}
                run={(reason, form) => {
                  needConfirm(form);
                  return call<{ failed: number }>('POST', '/api/system/fail-active', { confirm: true, reason }).then((r) => `Failed ${r.data.failed}`);
                }}
              />
              <Action
                label="Cancel all pending"
                title="Cancel every waiting run"
                danger
                description={<p>Every pending and retrying run{session.tenant ? ` of tenant ${session.tenant}` : ''} is cancelled.</p>}
                fields={confirmField}
                confirmLabel="Cancel all pending"
                refetch={REFETCH}
                run={(reason, form) => {
                  needConfirm(form);
                  return call<{ cancelled: number }>('POST', '/api/system/cancel-pending', { confirm: true, reason }).then(
                    (r) => `Cancelled ${r.data.cancelled}`,
                  );
                }}
              />
            </span>
          )
        }
      >
        <div className="cards">
          {cards.map(([label, value, cls]) => (
            <div key={label} className={`card ${cls ?? ''}`} data-card={label.toLowerCase()}>
              <span className="card-label">{label}</span>
              <span className="card-value">{value ?? '—'}</span>
            </div>
          ))}
        </div>
      </Panel>
      {!at && <LoopPausesPanel />}
      <Panel title="Workers" queries={[workers]}>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Worker</th>
                <th scope="col">Mode</th>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Uptime</th>
                <th scope="col">Processed</th>
                <th scope="col">Failed</th>
                <th scope="col">Now running</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {(workers.data?.data.workers ?? []).map((w) => (
                <tr key={w.id}>
                  <th scope="row" className="mono small">
                    {w.id}
                  </th>
                  <td>{w.mode}</td>
                  <td>{w.version}</td>
                  <td>
                    <Badge kind={w.status === 'online' ? 'ok' : 'bad'}>{w.status}</Badge>
                  </td>
                  <td>{duration(w.uptimeSeconds * 1000)}</td>
                  <td className="num">{w.processed}</td>
                  <td className={`num ${w.failed > 0 ? 'failed-count' : ''}`}>{w.failed}</td>
                  <td>
                    {w.nowRunning.length ? (
                      <ul className="plain">
                        {w.nowRunning.map((r) => (
                          <li key={r.runId}>
                            {r.job} <span className="muted small">for {duration(r.elapsedSeconds * 1000)}</span>
                          </li>
                        ))}
                      </ul>
                    ) : (
                      <span className="muted">idle</span>
                    )}
                  </td>
                  <td>
                    <Time iso={w.lastSeen} now={at ? Date.parse(at) : undefined} />
                  </td>
                </tr>
              ))}
              {!(workers.data?.data.workers ?? []).length && (
                <tr>
                  <td colSpan={9} className="muted">
                    No worker.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </Panel>
      <Panel
        title="Metrics, last 24 h"
        queries={[metrics]}
        note={at ? 'Live only: /api/system/metrics has no ?at=.' : 'Success rate: green ≥ 99 %, neutral ≥ 90 %, red below.'}
      >
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Runs</th>
                <th scope="col">Failures</th>
                <th scope="col">Success rate</th>
                <th scope="col">p50</th>
                <th scope="col">p95</th>
                <th scope="col">Max</th>
                <th scope="col">Last run</th>
              </tr>
            </thead>
            <tbody>
              {(metrics.data?.data.jobs ?? []).map((m) => (
                <tr key={m.job} data-job={m.job}>
                  <th scope="row">{m.job}</th>
                  <td className="num">{m.runs}</td>
                  <td className="num">{m.failures}</td>
                  <td className={`num rate rate-${bandOf(m.successRate)}`} data-band={bandOf(m.successRate)}>
                    {m.successRate === null ? '—' : `${m.successRate} %`}
                  </td>
                  <td className="num">{duration(m.p50Ms)}</td>
                  <td className="num">{duration(m.p95Ms)}</td>
                  <td className="num">{duration(m.maxMs)}</td>
                  <td>
                    <Time iso={m.lastRunAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
      <Panel title="Last 50 runs" queries={[recent]} note={at ? 'Live only: /api/system/runs/recent has no ?at=.' : undefined}>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
                <th scope="col">Completed</th>
                <th scope="col">Retries</th>
              </tr>
            </thead>
            <tbody>
              {(recent.data?.data.runs ?? []).map((r) => (
                <tr key={r.runId}>
                  <th scope="row">{r.job}</th>
                  <td>
                    <Badge kind={statusKind(r.state)}>{r.state}</Badge>
                  </td>
                  <td>
                    <Time iso={r.createdAt} />
                  </td>
                  <td>
                    <Time iso={r.completedAt} />
                  </td>
                  <td className="num">{r.retries}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
    </>
  );
}
