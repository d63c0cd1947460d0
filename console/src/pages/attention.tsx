import { Link } from 'wouter';
import { qs } from '../api/client';
import { useLiveQuery } from '../api/live';
import type { AttentionItem, AttentionList, Severity } from '../api/operations-types';
import { useAt, withAt } from '../at';
import { Badge, Panel, Time } from '../components/panel';
import { useCan } from '../session';
import { useUrlParams } from '../url-state';

/** Each kind of the attention list (docs/api.md "Attention"): its name in the list, and what an operator does about it. */
const KINDS: Record<string, { label: string; todo: string }> = {
  stale_loop: { label: 'stale loop', todo: 'Check the process that runs this loop (System, its log); restart it if it stopped or crashed.' },
  dead_letter: { label: 'dead letter', todo: 'Fix the upstream or its credentials, then redrive the target (or wait for its next retry).' },
  alert: { label: 'alert', todo: 'Follow the alert rule’s runbook in docs/operations.md.' },
  breaker: { label: 'breaker', todo: 'Check the upstream; reset the breaker once it is fixed, or let the trial poll close it.' },
  job_running_long: { label: 'running long', todo: 'Read the running run’s log tail; cancel it if it is stuck.' },
  job_piling_up: { label: 'piling up', todo: 'Check the workers (running, paused, enough of them?) and what holds the queue.' },
  failed_run: { label: 'failed run', todo: 'Read the failed run’s log; retry it once the cause is fixed (or its whole failure group).' },
  webhook_failure: { label: 'webhook failure', todo: 'Check the subscriber’s endpoint; then replay, suppress or mark the deliveries handled.' },
  paused: { label: 'paused', todo: 'Deliberate: resume it when its reason no longer holds.' },
  maintenance: { label: 'maintenance', todo: 'Planned: it ends with its window; end it early once the work is done.' },
};
const SEVERITY_KIND: Record<Severity, 'bad' | 'warn' | 'info'> = { critical: 'bad', warning: 'warn', info: 'info' };

/** The console page of an item's drill-in (its API path without /api), when there is one the caller may open. */
export function drillIn(href: string, admin: boolean): string | null {
  const [p] = href.split('?');
  const one = p.match(/^\/api\/(targets|jobs|runs)\/([^/]+)$/);
  if (one) return `/${one[1]}/${one[2]}`;
  if (p === '/api/targets' || p === '/api/jobs') return p.slice(4);
  if (p === '/api/webhooks/failures') return admin ? '/webhooks' : null;
  if (p === '/api/ops/health') return admin ? '/system' : null;
  if (/^\/api\/tenants\/[^/]+\/maintenance$/.test(p)) return '/maintenance';
  return null;
}

function Subject({ item, at }: { item: AttentionItem; at: string | null }) {
  const admin = useCan('admin');
  const to = drillIn(item.href, admin);
  return to ? (
    <Link href={withAt(to, at)}>{item.subject}</Link>
  ) : (
    <>
      {item.subject} <code className="small muted">{item.href}</code>
    </>
  );
}

/** The landing page: everything that needs an operator now (GET /api/attention), most urgent first. */
export function AttentionPage() {
  const [at] = useAt();
  const [f, setF] = useUrlParams(['severity', 'kind'] as const);
  const q = useLiveQuery<AttentionList>(['attention', at, f.severity, f.kind], `/api/attention${qs({ at, severity: f.severity, kind: f.kind, limit: 200 })}`, {
    past: !!at,
  });
  const d = q.data?.data;
  const items = d?.items ?? [];
  // Cards count the list as filtered: a severity filter leaves the others unknown.
  const bySeverity = (s: Severity) => (!d || (f.severity && f.severity !== s) ? '—' : items.filter((i) => i.severity === s).length);
  const filtered = !!(f.severity || f.kind);
  return (
    <>
      <h1>Attention</h1>
      <div className="cards" aria-label="Summary">
        <div className={`card ${Number(bySeverity('critical')) > 0 ? 'card-bad' : ''}`} data-card="critical">
          <span className="card-label">Critical</span>
          <span className="card-value">{bySeverity('critical')}</span>
        </div>
        <div className={`card ${Number(bySeverity('warning')) > 0 ? 'card-warn' : ''}`} data-card="warning">
          <span className="card-label">Warning</span>
          <span className="card-value">{bySeverity('warning')}</span>
        </div>
        <div className="card" data-card="info">
          <span className="card-label">Info</span>
          <span className="card-value">{bySeverity('info')}</span>
        </div>
      </div>
      <Panel
        title="Needs an operator"
        queries={[q]}
        note={at ? 'As of the instant above (GET /api/attention?at=): the list as it was then.' : 'Most urgent first: severity, then what has gone on longest.'}
      >
        <div className="filters" role="search" aria-label="Filter the attention list">
          <label>
            Severity{' '}
            <select value={f.severity} onChange={(e) => setF({ severity: e.target.value })}>
              <option value="">all</option>
              {(['critical', 'warning', 'info'] as const).map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            Source{' '}
            <select value={f.kind} onChange={(e) => setF({ kind: e.target.value })}>
              <option value="">all</option>
              {Object.entries(KINDS).map(([k, v]) => (
                <option key={k} value={k}>
                  {d ? `${v.label} (${d.counts[k] ?? 0})` : v.label}
                </option>
              ))}
            </select>
          </label>
          {d && (
            <span className="muted small">
              {items.length} of {d.total}
            </span>
          )}
        </div>
        {d && d.total === 0 ? (
          <p className="note" role="status" data-empty="attention">
            {filtered ? (
              'Nothing matches these filters.'
            ) : (
              <>
                <Badge kind="ok">All is well</Badge> {at ? 'Nothing needed an operator then.' : 'Nothing needs an operator now.'}
              </>
            )}
          </p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Severity</th>
                  <th scope="col">Source</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Since</th>
                  <th scope="col">What to do</th>
                </tr>
              </thead>
              <tbody>
                {items.map((i) => (
                  <tr key={`${i.kind}|${i.tenant ?? ''}|${i.subject}`} data-kind={i.kind} data-subject={i.subject}>
                    <td>
                      <Badge kind={SEVERITY_KIND[i.severity]}>{i.severity}</Badge>
                    </td>
                    <td>
                      {KINDS[i.kind]?.label ?? i.kind}
                      {i.tenant && <div className="small muted">tenant {i.tenant}</div>}
                    </td>
                    <th scope="row">
                      <Subject item={i} at={at} />
                      <div className="small">{i.summary}</div>
                    </th>
                    <td>
                      <Time iso={i.since} now={at ? Date.parse(at) : undefined} />
                    </td>
                    <td className="small">{KINDS[i.kind]?.todo ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
    </>
  );
}
