import { useState } from 'react';
import { call, qs } from '../../api/client';
import { useLiveQuery } from '../../api/live';
import type { FailureStatus, WebhookFailure, WebhookSubscription } from '../../api/toolbelt-types';
import { Action } from '../../components/action';
import { LiveOnlyNote } from '../../components/live-only';
import { Badge, Panel, Time } from '../../components/panel';
import { useSession } from '../../session';

const STATUSES: (FailureStatus | 'all')[] = ['failed', 'replayed', 'suppressed', 'handled', 'all'];
const REFETCH = ['webhooks'];

/** What the failures inbox's bulk actions do, in the API's words (docs/api.md, "the failures inbox"). */
const INBOX_ACTIONS = [
  { path: 'replay', label: 'Replay', done: 'Replayed', text: 'Sends each again as a new delivery with its original webhook-id, retried like any other.' },
  { path: 'suppress', label: 'Suppress', done: 'Suppressed', text: 'Keeps them in the inbox, never retried or replayed.' },
  { path: 'handled', label: 'Mark handled', done: 'Marked handled', text: 'Dealt with another way: nothing is sent.' },
] as const;

function SubscriptionsPanel() {
  const session = useSession();
  const subs = useLiveQuery<{ items: WebhookSubscription[] }>(['webhooks', 'subscriptions'], '/api/webhooks/subscriptions');
  const [secret, setSecret] = useState<{ id: string; secret: string } | null>(null);
  return (
    <Panel
      title="Subscriptions"
      queries={[subs]}
      actions={
        <Action
          label="Add subscription"
          title="Add a webhook subscription"
          description={<p>Every event of these types appended from now on is sent to the URL, signed as Standard Webhooks says.</p>}
          fields={
            <fieldset className="params">
              <legend>Subscription</legend>
              <label>
                URL <input name="url" type="url" required placeholder="https://hooks.example.com/opsledger" />
              </label>
              <label>
                Event types (comma-separated) <input name="eventTypes" required placeholder="RunFailed, AlertFired" />
              </label>
              {!session.tenant && (
                <label>
                  Tenant <input name="tenant" placeholder="optional: that tenant's events only" />
                </label>
              )}
              <label>
                Description <input name="description" placeholder="optional" />
              </label>
            </fieldset>
          }
          refetch={REFETCH}
          run={async (reason, form) => {
            const eventTypes = (form.eventTypes ?? '')
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean);
            const { data } = await call<WebhookSubscription>('POST', '/api/webhooks/subscriptions', {
              url: form.url?.trim(),
              eventTypes,
              ...(form.tenant?.trim() ? { tenant: form.tenant.trim() } : {}),
              ...(form.description?.trim() ? { description: form.description.trim() } : {}),
              reason,
            });
            if (data.secret) setSecret({ id: data.id, secret: data.secret });
            return `Subscribed ${data.id.slice(0, 8)}…`;
          }}
        />
      }
    >
      {secret && (
        <div className="note" role="status">
          Signing secret of {secret.id.slice(0, 8)}…, shown this once: <code className="mono">{secret.secret}</code>{' '}
          <button type="button" className="secondary" onClick={() => setSecret(null)}>
            I have stored it
          </button>
        </div>
      )}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Event types</th>
              <th scope="col">Tenant</th>
              <th scope="col">Created</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {(subs.data?.data.items ?? []).map((s) => (
              <tr key={s.id} data-subscription={s.id}>
                <th scope="row">
                  <span className="mono small">{s.url}</span>
                  {s.description && <div className="small muted">{s.description}</div>}
                </th>
                <td className="small">{s.eventTypes.join(', ')}</td>
                <td>{s.tenant ?? <span className="muted">installation</span>}</td>
                <td>
                  <Time iso={s.createdAt} /> <span className="small muted">by {s.createdBy}</span>
                </td>
                <td>
                  <Action
                    label="Delete"
                    title={`Delete the subscription to ${s.url}`}
                    description={<p>Its pending deliveries are dropped; its failures stay in the inbox.</p>}
                    danger
                    refetch={REFETCH}
                    run={(reason) => call('DELETE', `/api/webhooks/subscriptions/${s.id}`, { reason }).then(() => 'Deleted')}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {subs.data && subs.data.data.items.length === 0 && <p className="muted">No subscriptions.</p>}
      </div>
    </Panel>
  );
}

function FailuresPanel() {
  const [status, setStatus] = useState<FailureStatus | 'all'>('failed');
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const failures = useLiveQuery<{ items: WebhookFailure[] }>(['webhooks', 'failures', status], `/api/webhooks/failures${qs({ status, limit: 200 })}`);
  const items = failures.data?.data.items ?? [];
  const chosen = items.filter((f) => picked.has(f.id) && f.status === 'failed').map((f) => f.id);
  const toggle = (id: string) =>
    setPicked((p) => {
      const n = new Set(p);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  return (
    <Panel
      title="Failures inbox"
      queries={[failures]}
      note="Deliveries whose retries ran out. Select failed ones, then replay, suppress or mark them handled: each asks for a reason, recorded in the audit log."
    >
      <div className="filters" role="search" aria-label="Filter failures">
        <label>
          Status{' '}
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as FailureStatus | 'all');
              setPicked(new Set());
            }}
          >
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        {INBOX_ACTIONS.map((a) => (
          <Action
            key={a.path}
            label={`${a.label} selected (${chosen.length})`}
            confirmLabel={a.label}
            title={`${a.label} ${chosen.length} failed deliver${chosen.length === 1 ? 'y' : 'ies'}`}
            description={<p>{a.text}</p>}
            danger={a.path === 'suppress'}
            disabled={chosen.length === 0}
            disabledReason={chosen.length === 0 && a.path === 'replay' ? 'select failed deliveries first' : undefined}
            refetch={REFETCH}
            run={async (reason) => {
              const { data } = await call<{ items: WebhookFailure[] }>('POST', `/api/webhooks/failures/${a.path}`, { deliveryIds: chosen, reason });
              setPicked(new Set());
              return `${a.done} ${data.items.length}`;
            }}
          />
        ))}
      </div>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">
                <span className="sr-only">Select</span>
              </th>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Last error</th>
              <th scope="col">Attempts</th>
              <th scope="col">Failed</th>
              <th scope="col">Tenant</th>
            </tr>
          </thead>
          <tbody>
            {items.map((f) => (
              <tr key={f.id} data-delivery={f.id}>
                <td>
                  {f.status === 'failed' && (
                    <input
                      type="checkbox"
                      aria-label={`Select delivery ${f.id.slice(0, 8)} of ${f.eventType}`}
                      checked={picked.has(f.id)}
                      onChange={() => toggle(f.id)}
                    />
                  )}
                </td>
                <th scope="row">
                  {f.eventType} <span className="mono small muted">{f.id.slice(0, 8)}…</span>
                  {f.replayOf && <div className="small muted">replay of {f.replayOf.slice(0, 8)}…</div>}
                </th>
                <td>
                  <Badge kind={f.status === 'failed' ? 'bad' : f.status === 'replayed' ? 'info' : 'muted'}>{f.status}</Badge>
                  {f.resolution && (
                    <div className="small muted">
                      {f.resolution.actor}: “{f.resolution.reason}”
                    </div>
                  )}
                </td>
                <td className="small">
                  {f.lastErrorKind && <span className="mono">{f.lastErrorKind}</span>} {f.lastError}
                  {f.lastResponseSnippet && <div className="mono muted">{f.lastResponseSnippet}</div>}
                </td>
                <td className="num">{f.attempts}</td>
                <td>
                  <Time iso={f.failedAt} />
                </td>
                <td>{f.tenant ?? <span className="muted">installation</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {failures.data && items.length === 0 && <p className="muted">No {status === 'all' ? '' : status} deliveries.</p>}
      </div>
    </Panel>
  );
}

/** Outbound webhooks (admin): the subscriptions and the failures inbox. */
export function WebhooksPage() {
  return (
    <>
      <h1>Webhooks</h1>
      <LiveOnlyNote what="The webhooks page" />
      <SubscriptionsPanel />
      <FailuresPanel />
    </>
  );
}
