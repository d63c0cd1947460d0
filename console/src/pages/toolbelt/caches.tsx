import { call } from '../../api/client';
import { useLiveQuery } from '../../api/live';
import type { CacheInfo, Purge } from '../../api/toolbelt-types';
import { Action } from '../../components/action';
import { LiveOnlyNote } from '../../components/live-only';
import { Badge, Panel, Time } from '../../components/panel';

const what = (p: Purge) => ('key' in p.match ? `key ${p.match.key}` : `pattern ${p.match.pattern}`);
const kind = (s: Purge['state']) => (s === 'running' ? 'warn' : s === 'completed' ? 'ok' : s === 'failed' || s === 'abandoned' ? 'bad' : 'muted');

function CachePanel({ cache, keysPerSecond }: { cache: CacheInfo; keysPerSecond: number }) {
  const probe = useLiveQuery<{ purges: Purge[] }>(['caches', 'purges', cache.name], `/api/caches/${encodeURIComponent(cache.name)}/purges`);
  const running = (probe.data?.data.purges ?? []).some((p) => p.state === 'running');
  // Progress is recorded every CACHE_PURGE_PROGRESS_MS: read it every 2 s while a purge runs.
  const q = useLiveQuery<{ purges: Purge[] }>(['caches', 'purges', cache.name], `/api/caches/${encodeURIComponent(cache.name)}/purges`, {
    pollMs: running ? 2000 : undefined,
  });
  const purges = q.data?.data.purges ?? [];
  return (
    <Panel
      title={`Cache ${cache.name}`}
      queries={[q]}
      note={`${cache.address} · at most ${keysPerSecond} keys a second`}
      actions={
        <Action
          label="Purge"
          title={`Purge keys of cache ${cache.name}`}
          description={<p>One key, or every key matching a Redis glob pattern, removed at the cache's rate. A pattern of only * needs the confirmation.</p>}
          fields={
            <fieldset className="params">
              <legend>Keys</legend>
              <label>
                Pattern <input name="pattern" placeholder="user:42:*" />
              </label>
              <label>
                or one key <input name="key" placeholder="user:42:profile" />
              </label>
              <label className="inline">
                <input type="checkbox" name="confirmAll" /> Yes, purge every key (pattern *)
              </label>
            </fieldset>
          }
          danger
          refetch={['caches']}
          run={async (reason, form) => {
            const body = {
              ...(form.pattern?.trim() ? { pattern: form.pattern.trim() } : {}),
              ...(form.key?.trim() ? { key: form.key.trim() } : {}),
              ...(form.confirmAll === 'on' ? { confirmAll: true } : {}),
              reason,
            };
            const { data } = await call<Purge>('POST', `/api/caches/${encodeURIComponent(cache.name)}/purge`, body);
            return `Purge ${data.id.slice(0, 8)}… started`;
          }}
        />
      }
    >
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Purge</th>
              <th scope="col">State</th>
              <th scope="col">Scanned</th>
              <th scope="col">Removed</th>
              <th scope="col">Started</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {purges.map((p) => (
              <tr key={p.id} data-purge={p.id}>
                <th scope="row">
                  <span className="mono">{what(p)}</span>
                  <div className="small muted">“{p.reason}”</div>
                </th>
                <td>
                  <Badge kind={kind(p.state)}>{p.state}</Badge>
                  {p.cancelRequested && <div className="small muted">cancel asked by {p.cancelRequested.by}</div>}
                  {p.error && <div className="small error-text">{p.error}</div>}
                </td>
                <td className="num">{p.scanned}</td>
                <td className="num">{p.removed}</td>
                <td>
                  <Time iso={p.startedAt} /> <span className="small muted">by {p.startedBy}</span>
                  {p.state === 'running' && (
                    <div className="small muted">
                      progress read <Time iso={p.lastProgressAt} />
                    </div>
                  )}
                </td>
                <td>
                  {p.state === 'running' && !p.cancelRequested && (
                    <Action
                      label="Cancel purge"
                      title={`Cancel the purge of ${what(p)} in ${cache.name}`}
                      description={<p>It stops with the keys removed so far.</p>}
                      refetch={['caches']}
                      run={(reason) =>
                        call('POST', `/api/caches/${encodeURIComponent(cache.name)}/purges/${p.id}/cancel`, { reason }).then(() => 'Cancel requested')
                      }
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {q.data && purges.length === 0 && <p className="muted">No purges yet.</p>}
      </div>
    </Panel>
  );
}

/** Throttled purges of the named Redis caches (admin, installation-wide). */
export function CachesPage() {
  const caches = useLiveQuery<{ keysPerSecond: number; caches: CacheInfo[] }>(['caches'], '/api/caches');
  const list = caches.data?.data.caches ?? [];
  return (
    <>
      <h1>Caches</h1>
      <LiveOnlyNote what="The caches page" />
      {caches.data && list.length === 0 && <p className="muted">No caches configured (CACHES names them).</p>}
      {caches.error && (
        <p className="error" role="alert">
          {(caches.error as Error).message}
        </p>
      )}
      {list.map((c) => (
        <CachePanel key={c.name} cache={c} keysPerSecond={caches.data!.data.keysPerSecond} />
      ))}
    </>
  );
}
