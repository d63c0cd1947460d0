import { useState } from 'react';
import { qs } from '../api/client';
import { useLiveQuery } from '../api/live';
import type { AuditEntry } from '../api/types';
import { useAt } from '../at';
import { Badge, Panel, Time } from '../components/panel';

/** Operator actions, newest first (admin). In the past: the entries up to that instant. */
export function AuditPage() {
  const [at] = useAt();
  const [f, setF] = useState({ actor: '', action: '', target: '', outcome: '' });
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const path = `/api/audit${qs({ ...f, to: at, cursor, limit: 50 })}`;
  const q = useLiveQuery<{ items: AuditEntry[]; nextCursor: string | null }>(['audit', path], path, { past: !!at });
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
    setCursors([]);
    setF({ ...f, [k]: e.target.value });
  };
  const items = q.data?.data.items ?? [];
  return (
    <>
      <h1>Audit</h1>
      <Panel title="Operator actions" queries={[q]} note={at ? 'Entries up to the instant above.' : undefined}>
        <div className="filters" role="search" aria-label="Filter audit entries">
          <label>
            Actor <input value={f.actor} onChange={set('actor')} />
          </label>
          <label>
            Action <input value={f.action} onChange={set('action')} placeholder="target.redrive" />
          </label>
          <label>
            Target <input value={f.target} onChange={set('target')} />
          </label>
          <label>
            Outcome{' '}
            <select value={f.outcome} onChange={set('outcome')}>
              <option value="">all</option>
              <option>applied</option>
              <option>duplicate</option>
            </select>
          </label>
        </div>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Reason</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id} data-action={a.action}>
                  <td>
                    <Time iso={a.at} />
                  </td>
                  <td>
                    {a.actor}{' '}
                    <span className="muted small">
                      ({a.role}
                      {a.tenant ? `, ${a.tenant}` : ''})
                    </span>
                  </td>
                  <th scope="row">{a.action}</th>
                  <td className="mono small">{a.target ?? '—'}</td>
                  <td>{a.reason}</td>
                  <td>
                    <Badge kind={a.outcome === 'applied' ? 'ok' : 'muted'}>{a.outcome}</Badge>
                  </td>
                </tr>
              ))}
              {!items.length && (
                <tr>
                  <td colSpan={6} className="muted">
                    No operator action matches.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
        <div className="pager">
          <button type="button" className="secondary" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>
            Newer
          </button>
          <button type="button" className="secondary" disabled={!q.data?.data.nextCursor} onClick={() => setCursors([...cursors, q.data!.data.nextCursor!])}>
            Older
          </button>
        </div>
      </Panel>
    </>
  );
}
