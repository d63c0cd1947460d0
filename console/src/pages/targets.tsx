import { useMemo, useState } from 'react';
import { Link } from 'wouter';
import { qs } from '../api/client';
import { useLiveQuery } from '../api/live';
import type { SchedulerHealth, Target } from '../api/types';
import { useAt, withAt } from '../at';
import type { Hold } from '../api/hold-types';
import { HoldNote } from '../components/hold-note';
import { Badge, Panel, Time } from '../components/panel';

type Row = {
  key: string;
  type: string;
  displayName: string;
  tenant: string | null | undefined;
  paused: boolean | undefined;
  hold?: Hold | null;
  nextPollAt: string | null | undefined;
  pollStatus: Target['pollStatus'];
  breaker: Target['breaker'];
  deadLetter: Target['deadLetter'];
  score: number | null;
};

export function statusOf(r: Pick<Row, 'paused' | 'hold' | 'deadLetter' | 'breaker' | 'pollStatus'>): {
  label: string;
  kind: 'ok' | 'warn' | 'bad' | 'info' | 'muted';
} {
  if (r.paused || r.hold?.source === 'pause') return { label: 'paused', kind: 'muted' };
  if (r.hold) return { label: 'held', kind: 'muted' };
  if (r.deadLetter.present) return { label: 'dead-lettered', kind: 'bad' };
  if (r.breaker.state === 'open') return { label: 'breaker open', kind: 'bad' };
  if (r.breaker.state === 'half_open') return { label: 'half-open', kind: 'warn' };
  if (r.pollStatus.consecutiveFailures > 0) return { label: 'failing', kind: 'warn' };
  if (!r.pollStatus.lastSuccess) return { label: 'not polled yet', kind: 'info' };
  return { label: 'healthy', kind: 'ok' };
}

function Freshness({ score }: { score: number | null }) {
  if (score === null) return <span className="muted">—</span>;
  const kind = score < 0.1 ? 'ok' : score < 0.5 ? 'warn' : 'bad';
  return (
    <Badge kind={kind}>
      {score < 0.1 ? 'fresh' : score < 0.5 ? 'aging' : 'stale'} {score.toFixed(2)}
    </Badge>
  );
}

const STATUSES = ['healthy', 'failing', 'half-open', 'breaker open', 'dead-lettered', 'paused', 'held', 'not polled yet'];

/** The landing page: every target's health, filterable; a row opens its drill-in. */
export function TargetsPage() {
  const [at] = useAt();
  const health = useLiveQuery<SchedulerHealth>(['scheduler-health', at], `/api/monitoring/scheduler/health${qs({ at })}`, { past: !!at });
  const targets = useLiveQuery<{ targets: Target[] }>(['targets'], at ? null : '/api/targets');
  const [text, setText] = useState('');
  const [status, setStatus] = useState('');
  const [type, setType] = useState('');

  const rows: Row[] = useMemo(() => {
    const h = health.data?.data;
    const score = new Map((h?.staleness ?? []).map((s) => [`${s.type}::${s.instance}`, s.score]));
    if (at) return (h?.instances ?? []).map((i) => ({ ...i, tenant: undefined, paused: undefined, nextPollAt: undefined, score: score.get(i.key) ?? null }));
    return (targets.data?.data.targets ?? []).map((t) => ({ ...t, score: score.get(t.key) ?? null }));
  }, [at, health.data, targets.data]);

  const types = [...new Set(rows.map((r) => r.type))].sort();
  const shown = rows.filter(
    (r) =>
      (!text || `${r.key} ${r.displayName}`.toLowerCase().includes(text.toLowerCase())) &&
      (!type || r.type === type) &&
      (!status || statusOf(r).label === status),
  );
  const h = health.data?.data;
  const counts = {
    total: rows.length,
    bad: rows.filter((r) => statusOf(r).kind === 'bad').length,
    warn: rows.filter((r) => statusOf(r).kind === 'warn').length,
  };

  return (
    <>
      <h1>Targets</h1>
      <div className="cards" aria-label="Summary">
        <div className="card">
          <span className="card-label">Targets</span>
          <span className="card-value">{counts.total}</span>
        </div>
        <div className={`card ${counts.bad ? 'card-bad' : ''}`}>
          <span className="card-label">Open breaker or dead-lettered</span>
          <span className="card-value">{counts.bad}</span>
        </div>
        <div className={`card ${counts.warn ? 'card-warn' : ''}`}>
          <span className="card-label">Failing</span>
          <span className="card-value">{counts.warn}</span>
        </div>
        <div className="card">
          <span className="card-label">Due within {h ? '12 s' : '…'}</span>
          <span className="card-value">{h?.queue.dueWithinSeconds ?? '—'}</span>
        </div>
      </div>
      <Panel
        title="Health"
        queries={at ? [health] : [targets, health]}
        note={at ? 'As of the instant above (scheduler health ?at=): next due and paused are not part of that answer.' : undefined}
      >
        <div className="filters" role="search" aria-label="Filter targets">
          <label>
            Search <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="key or name" />
          </label>
          <label>
            Status{' '}
            <select value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">all</option>
              {STATUSES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            Type{' '}
            <select value={type} onChange={(e) => setType(e.target.value)}>
              <option value="">all</option>
              {types.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <span className="muted small">
            {shown.length} of {rows.length}
          </span>
        </div>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Target</th>
                <th scope="col">Status</th>
                <th scope="col">Breaker</th>
                <th scope="col">Failure streak</th>
                <th scope="col">Last success</th>
                <th scope="col">Next due</th>
                <th scope="col">Freshness</th>
                <th scope="col">Tenant</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => {
                const s = statusOf(r);
                return (
                  <tr key={r.key} data-key={r.key}>
                    <th scope="row">
                      <Link href={withAt(`/targets/${encodeURIComponent(r.key)}`, at)}>{r.key}</Link>
                      {r.displayName !== r.key.split('::')[1] && <div className="muted small">{r.displayName}</div>}
                    </th>
                    <td>
                      <Badge kind={s.kind}>{s.label}</Badge>
                      <HoldNote hold={r.hold} />
                    </td>
                    <td>
                      <Badge kind={r.breaker.state === 'closed' ? 'ok' : r.breaker.state === 'open' ? 'bad' : 'warn'}>
                        {r.breaker.state.replace('_', '-')}
                      </Badge>
                      {r.breaker.retryAt && (
                        <div className="small muted">
                          retry <Time iso={r.breaker.retryAt} />
                        </div>
                      )}
                    </td>
                    <td className={r.pollStatus.consecutiveFailures ? 'num warn-text' : 'num'}>{r.pollStatus.consecutiveFailures}</td>
                    <td>
                      <Time iso={r.pollStatus.lastSuccess} now={at ? Date.parse(at) : undefined} />
                    </td>
                    <td>
                      {r.nextPollAt === undefined ? (
                        <span className="muted">n/a in the past</span>
                      ) : r.paused || r.hold ? (
                        <span className="muted">held</span>
                      ) : (
                        <Time iso={r.nextPollAt} />
                      )}
                    </td>
                    <td>
                      <Freshness score={r.score} />
                    </td>
                    <td>{r.tenant === undefined ? <span className="muted">—</span> : (r.tenant ?? <span className="muted">none</span>)}</td>
                  </tr>
                );
              })}
              {shown.length === 0 && (
                <tr>
                  <td colSpan={8} className="muted">
                    {rows.length ? 'No target matches the filters.' : 'No targets registered (POST /api/targets or the config file).'}
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
