import { useState } from 'react';
import { call } from '../../api/client';
import { useLiveQuery } from '../../api/live';
import type { Flag, FlagHistoryEvent } from '../../api/toolbelt-types';
import { Action } from '../../components/action';
import { LiveOnlyNote } from '../../components/live-only';
import { Badge, Panel, Time } from '../../components/panel';
import { exact } from '../../format';
import { useCan, useSession } from '../../session';

const show = (v: unknown) => JSON.stringify(v);

/** The typed value a form field stands for, or an error naming what is wrong. */
function valueFrom(flag: Flag, text: string): unknown {
  const t = text.trim();
  if (flag.type === 'boolean') return t === 'true';
  if (flag.type === 'string') return text;
  if (flag.type === 'number') {
    if (t === '' || Number.isNaN(Number(t))) throw new Error('value: must be a number');
    return Number(t);
  }
  try {
    return JSON.parse(t);
  } catch {
    throw new Error('value: must be JSON (an object or an array)');
  }
}

function ValueField({ flag }: { flag: Flag }) {
  if (flag.type === 'boolean')
    return (
      <label>
        Value{' '}
        <select name="value" defaultValue={String(!flag.value)}>
          <option>true</option>
          <option>false</option>
        </select>
      </label>
    );
  return (
    <label>
      Value ({flag.type}) <input name="value" defaultValue={flag.type === 'string' ? String(flag.value ?? '') : show(flag.value)} />
    </label>
  );
}

function History({ flag }: { flag: string }) {
  const q = useLiveQuery<{ events: FlagHistoryEvent[] }>(['flags', 'history', flag], `/api/flags/${encodeURIComponent(flag)}/history`);
  return (
    <ol className="history small" aria-label={`History of ${flag}`}>
      {(q.data?.data.events ?? [])
        .slice()
        .reverse()
        .map((e) => (
          <li key={e.revision}>
            <span className="mono">{e.type}</span> by {e.actor} <Time iso={e.recordedAt} />
            {'value' in e.data && <> → {show(e.data.value)}</>}
            {typeof e.data.expiresAt === 'string' && <> until {exact(e.data.expiresAt)}</>}
            {typeof e.data.reason === 'string' && <> · “{e.data.reason}”</>}
          </li>
        ))}
    </ol>
  );
}

/** Global feature flags: every caller reads the same value; admins set (for a while) or clear it, with a reason. */
export function FlagsPage() {
  const admin = useCan('admin');
  const session = useSession();
  const canChange = admin && !session.tenant;
  const [open, setOpen] = useState<string | null>(null);
  const flags = useLiveQuery<{ flags: Flag[] }>(['flags'], '/api/flags');
  return (
    <>
      <h1>Feature flags</h1>
      <LiveOnlyNote what="The flags list" />
      <Panel title="Flags" queries={[flags]} note="One value per flag for the whole installation: the value an admin set (until its expiry) or the default.">
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Flag</th>
                <th scope="col">Serves</th>
                <th scope="col">Default</th>
                <th scope="col">Set by</th>
                {canChange && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {(flags.data?.data.flags ?? []).map((f) => (
                <tr key={f.key} data-flag={f.key}>
                  <th scope="row">
                    <span className="mono">{f.key}</span> <span className="muted small">({f.type})</span>
                    <div className="small muted">{f.description}</div>
                    {canChange && (
                      <button type="button" className="link small" aria-expanded={open === f.key} onClick={() => setOpen(open === f.key ? null : f.key)}>
                        {open === f.key ? 'Hide history' : 'History'}
                      </button>
                    )}
                    {open === f.key && <History flag={f.key} />}
                  </th>
                  <td>
                    <span className="mono">{show(f.value)}</span> <Badge kind={f.source === 'set' ? 'info' : 'muted'}>{f.source}</Badge>
                    {f.expiresAt && (
                      <div className="small">
                        until <Time iso={f.expiresAt} />
                      </div>
                    )}
                  </td>
                  <td className="mono">{show(f.defaultValue)}</td>
                  <td>
                    {f.setBy ? (
                      <>
                        {f.setBy} <Time iso={f.setAt} />
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  {canChange && (
                    <td>
                      <Action
                        label="Set"
                        title={`Set ${f.key}`}
                        description={<p>Serves this value to every caller until cleared, or until the expiry when one is given.</p>}
                        fields={
                          <fieldset className="params">
                            <legend>Value</legend>
                            <ValueField flag={f} />
                            <label>
                              Until (UTC, optional) <input type="datetime-local" name="expiresAt" />
                            </label>
                          </fieldset>
                        }
                        refetch={['flags']}
                        run={async (reason, form) => {
                          const value = valueFrom(f, form.value ?? '');
                          const expiresAt = form.expiresAt ? new Date(`${form.expiresAt}:00Z`).toISOString() : undefined;
                          const { data } = await call<Flag>('PUT', `/api/flags/${encodeURIComponent(f.key)}/value`, {
                            value,
                            reason,
                            ...(expiresAt ? { expiresAt } : {}),
                          });
                          return `${f.key} serves ${show(data.value)}`;
                        }}
                      />
                      <Action
                        label="Clear"
                        title={`Clear ${f.key}`}
                        description={<p>Back to its default, {show(f.defaultValue)}.</p>}
                        disabled={f.source === 'default'}
                        disabledReason={f.source === 'default' ? 'serves its default' : undefined}
                        refetch={['flags']}
                        run={(reason) => call('DELETE', `/api/flags/${encodeURIComponent(f.key)}/value`, { reason }).then(() => `${f.key} cleared`)}
                      />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {flags.data && flags.data.data.flags.length === 0 && <p className="muted">No flags defined (POST /api/flags defines one).</p>}
        </div>
      </Panel>
    </>
  );
}
