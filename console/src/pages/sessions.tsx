import { useState } from 'react';
import { call } from '../api/client';
import { useLiveQuery } from '../api/live';
import type { Session } from '../api/types';
import { Action } from '../components/action';
import { LiveOnlyNote } from '../components/live-only';
import { Badge, Panel, Time } from '../components/panel';
import { useSession } from '../session';

/** Console sessions (admin): who is signed in, until when; end one with a reason. */
export function SessionsPage() {
  const me = useSession();
  const [all, setAll] = useState(false);
  const q = useLiveQuery<{ sessions: Session[] }>(['sessions', all], `/api/sessions${all ? '?all=true' : ''}`);
  return (
    <>
      <h1>Sessions</h1>
      <LiveOnlyNote what="The sessions list" />
      <Panel
        title="Console sessions"
        queries={[q]}
        actions={
          <label className="small inline">
            <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> Ended ones too
          </label>
        }
      >
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Actor</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                <th scope="col">Last request</th>
                <th scope="col">Ends</th>
                <th scope="col">From</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {(q.data?.data.sessions ?? []).map((s) => (
                <tr key={s.sessionId}>
                  <th scope="row">
                    {s.name}{' '}
                    <span className="muted small">
                      ({s.role}
                      {s.tenant ? `, ${s.tenant}` : ''})
                    </span>
                    {s.sessionId === me.sessionId && <div className="small">this session</div>}
                  </th>
                  <td>
                    <Badge kind={s.status === 'active' ? 'ok' : 'muted'}>{s.status === 'active' ? 'active' : `ended: ${s.endReason}`}</Badge>
                    {s.endDetail && <div className="small muted">{s.endDetail}</div>}
                  </td>
                  <td>
                    <Time iso={s.startedAt} />
                  </td>
                  <td>
                    <Time iso={s.lastSeenAt} />
                  </td>
                  <td>{s.status === 'active' ? <Time iso={s.idleExpiresAt} /> : <Time iso={s.endedAt} />}</td>
                  <td className="mono small">{s.clientIp}</td>
                  <td>
                    {s.status === 'active' && (
                      <Action
                        label="Revoke"
                        title={`End the session of ${s.name}`}
                        danger
                        refetch={['sessions']}
                        run={(reason) => call('DELETE', `/api/sessions/${s.sessionId}`, { reason }).then(() => 'Revoked')}
                      />
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
