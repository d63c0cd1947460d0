import { call } from '../../api/client';
import { useLiveQuery } from '../../api/live';
import type { RateLimitOverride } from '../../api/toolbelt-types';
import { Action } from '../../components/action';
import { LiveOnlyNote } from '../../components/live-only';
import { Badge, Panel, Time } from '../../components/panel';
import { useSession } from '../../session';

const subjectOf = (o: RateLimitOverride) => ('tenant' in o.subject ? `tenant ${o.subject.tenant}` : `address ${o.subject.ip}`);

/** Rate-limit overrides: a tenant or an address allowed more requests until a set time (admin; granting is installation-wide). */
export function RateLimitsPage() {
  const session = useSession();
  const unscoped = !session.tenant;
  const q = useLiveQuery<{ items: RateLimitOverride[] }>(['rate-limits'], '/api/rate-limits/overrides');
  const items = q.data?.data.items ?? [];
  return (
    <>
      <h1>Rate limits</h1>
      <LiveOnlyNote what="The overrides list" />
      <Panel
        title="Overrides"
        queries={[q]}
        note="Each lifts the shared rate limit for one tenant or client address until it expires (at most 30 days ahead) or is revoked."
        actions={
          unscoped && (
            <Action
              label="Grant override"
              title="Grant a rate-limit override"
              fields={
                <fieldset className="params">
                  <legend>Override</legend>
                  <label>
                    Tenant <input name="tenant" placeholder="acme" />
                  </label>
                  <label>
                    or client address <input name="ip" placeholder="203.0.113.9" />
                  </label>
                  <label>
                    Limit (requests per window) <input name="limit" type="number" min={1} required />
                  </label>
                  <label>
                    Until (UTC) <input name="expiresAt" type="datetime-local" required />
                  </label>
                </fieldset>
              }
              refetch={['rate-limits']}
              run={async (reason, form) => {
                const subject = form.tenant?.trim() ? { tenant: form.tenant.trim() } : form.ip?.trim() ? { ip: form.ip.trim() } : {};
                const body = {
                  subject,
                  limit: form.limit ? Number(form.limit) : undefined,
                  expiresAt: form.expiresAt ? new Date(`${form.expiresAt}:00Z`).toISOString() : undefined,
                  reason,
                };
                const { data } = await call<RateLimitOverride>('POST', '/api/rate-limits/overrides', body);
                return `Granted ${data.limit} for ${subjectOf(data)}`;
              }}
            />
          )
        }
      >
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">Limit</th>
                <th scope="col">Status</th>
                <th scope="col">Until</th>
                <th scope="col">Granted</th>
                {unscoped && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {items.map((o) => (
                <tr key={o.id} data-override={o.id}>
                  <th scope="row">
                    {subjectOf(o)}
                    <div className="small muted">“{o.reason}”</div>
                  </th>
                  <td className="num">{o.limit}</td>
                  <td>
                    <Badge kind={o.active ? 'ok' : 'muted'}>{o.active ? 'active' : o.revokedAt ? 'revoked' : 'expired'}</Badge>
                    {o.revokedBy && (
                      <div className="small muted">
                        by {o.revokedBy}: “{o.revokeReason}”
                      </div>
                    )}
                  </td>
                  <td>
                    <Time iso={o.expiresAt} />
                  </td>
                  <td>
                    <Time iso={o.grantedAt} /> <span className="small muted">by {o.grantedBy}</span>
                  </td>
                  {unscoped && (
                    <td>
                      {o.active && (
                        <Action
                          label="Revoke"
                          title={`Revoke the override for ${subjectOf(o)}`}
                          danger
                          refetch={['rate-limits']}
                          run={(reason) => call('DELETE', `/api/rate-limits/overrides/${o.id}`, { reason }).then(() => 'Revoked')}
                        />
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {q.data && items.length === 0 && <p className="muted">No overrides.</p>}
        </div>
      </Panel>
    </>
  );
}
