import { useState } from 'react';
import { Link } from 'wouter';
import { call, qs } from '../api/client';
import { useLiveQuery } from '../api/live';
import type { SchedulerHealth, Target } from '../api/types';
import { useAt } from '../at';
import { Action } from '../components/action';
import { Panel, Time } from '../components/panel';
import { useCan } from '../session';

/** The dead-letter set: why each target is there, when it is retried; redrive several at once. */
export function DeadLettersPage() {
  const [at] = useAt();
  const canAct = useCan('operator');
  const targets = useLiveQuery<{ targets: Target[] }>(['targets'], at ? null : '/api/targets');
  const past = useLiveQuery<SchedulerHealth>(['scheduler-health', at], at ? `/api/monitoring/scheduler/health${qs({ at })}` : null, { past: true });
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const rows = (targets.data?.data.targets ?? [])
    .filter((t) => t.deadLetter.present)
    .sort((a, b) => (a.deadLetter.nextRetry ?? '').localeCompare(b.deadLetter.nextRetry ?? ''));
  const toggle = (k: string) => setPicked((p) => (p.has(k) ? new Set([...p].filter((x) => x !== k)) : new Set([...p, k])));
  const chosen = rows.filter((r) => picked.has(r.key)).map((r) => r.key);

  if (at) {
    const tasks = past.data?.data.deadLetter.tasks ?? [];
    return (
      <>
        <h1>Dead letters</h1>
        <Panel title="Dead-letter set" queries={[past]} note="As of the instant above (scheduler health ?at=, at most 25, soonest retry first).">
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Target</th>
                  <th scope="col">Last error</th>
                  <th scope="col">Failures</th>
                  <th scope="col">Next retry</th>
                </tr>
              </thead>
              <tbody>
                {tasks.map((d) => (
                  <tr key={`${d.type}::${d.instance}`}>
                    <th scope="row">{`${d.type}::${d.instance}`}</th>
                    <td>{d.lastError}</td>
                    <td className="num">{d.failures}</td>
                    <td>
                      <Time iso={d.nextRun} now={Date.parse(at)} />
                    </td>
                  </tr>
                ))}
                {!tasks.length && (
                  <tr>
                    <td colSpan={4} className="muted">
                      The dead-letter set was empty.
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

  return (
    <>
      <h1>Dead letters</h1>
      <Panel
        title="Dead-letter set"
        queries={[targets]}
        actions={
          canAct ? (
            <Action
              label={`Redrive selected (${chosen.length})`}
              title={`Redrive ${chosen.length} target(s)`}
              description={<p>{chosen.join(', ')}</p>}
              disabled={!chosen.length}
              disabledReason={chosen.length ? undefined : 'select targets first'}
              refetch={['targets', 'target', 'scheduler-health', 'timeline']}
              run={async (reason) => {
                const results = await Promise.allSettled(chosen.map((k) => call('POST', `/api/targets/${encodeURIComponent(k)}/redrive`, { reason })));
                const failed = results.filter((r) => r.status === 'rejected').length;
                setPicked(new Set());
                if (failed === results.length) throw (results[0] as PromiseRejectedResult).reason;
                return `Redriven ${results.length - failed} of ${results.length}`;
              }}
            />
          ) : null
        }
      >
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                {canAct && (
                  <th scope="col">
                    <span className="sr-only">Select</span>
                  </th>
                )}
                <th scope="col">Target</th>
                <th scope="col">Reason</th>
                <th scope="col">Last error</th>
                <th scope="col">Retries</th>
                <th scope="col">First failed</th>
                <th scope="col">Next retry</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <tr key={t.key}>
                  {canAct && (
                    <td>
                      <input type="checkbox" aria-label={`Select ${t.key}`} checked={picked.has(t.key)} onChange={() => toggle(t.key)} />
                    </td>
                  )}
                  <th scope="row">
                    <Link href={`/targets/${encodeURIComponent(t.key)}`}>{t.key}</Link>
                  </th>
                  <td>{t.deadLetter.reason}</td>
                  <td>{t.pollStatus.lastError?.message ?? '—'}</td>
                  <td className="num">{t.deadLetter.retryCount}</td>
                  <td>
                    <Time iso={t.deadLetter.firstAttempt} />
                  </td>
                  <td>
                    <Time iso={t.deadLetter.nextRetry} />
                  </td>
                </tr>
              ))}
              {!rows.length && (
                <tr>
                  <td colSpan={canAct ? 7 : 6} className="muted">
                    No target is dead-lettered.
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
