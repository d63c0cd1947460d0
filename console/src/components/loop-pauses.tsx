import { call, qs } from '../api/client';
import { useLiveQuery } from '../api/live';
import type { PausableLoop } from '../api/toolbelt-types';
import type { TimelineEntry } from '../api/types';
import { useCan, useSession } from '../session';
import { Action } from './action';
import { Badge, Panel, Time } from './panel';

const LOOPS: { loop: PausableLoop; name: string; base: string; effect: string }[] = [
  { loop: 'job-worker', name: 'Job workers', base: '/api/jobs/worker', effect: 'No run is claimed (cron and run-now still queue them); running runs finish.' },
  {
    loop: 'poll-scheduler',
    name: 'Poll scheduler',
    base: '/api/monitoring/scheduler',
    effect: 'No target is polled (scheduled polls, dead-letter retries and requested polls wait); probes in flight finish.',
  },
];

interface PauseState {
  paused: boolean;
  reason: string;
  by: string;
  at: string;
  resumeAt: string | null;
}

/**
 * Each loop's pause as the log says it (its latest LoopPaused / LoopResumed; a pause past its
 * resumeAt has ended by itself). The API has no read of pauses besides ops health, which takes a
 * bearer token or x-ops-token only: the timeline is what a session can read.
 */
function pausesFrom(items: TimelineEntry[], now: number): Map<PausableLoop, PauseState> {
  const out = new Map<PausableLoop, PauseState>();
  for (const e of items) {
    const d = e.data as { loop: PausableLoop; reason: string; resumeAt?: string | null; pausedBy?: string; resumedBy?: string; at: string };
    out.set(d.loop, {
      paused: e.type === 'LoopPaused',
      reason: d.reason,
      by: d.pausedBy ?? d.resumedBy ?? e.actor ?? 'unknown',
      at: d.at,
      resumeAt: d.resumeAt ?? null,
    });
  }
  for (const [loop, s] of out) if (s.paused && s.resumeAt && Date.parse(s.resumeAt) <= now) out.set(loop, { ...s, paused: false });
  return out;
}

/** Whole-loop pause and resume (operator, installation-wide), with a reason and an optional automatic resume. */
export function LoopPausesPanel() {
  const session = useSession();
  const canAct = useCan('operator') && !session.tenant;
  const q = useLiveQuery<{ items: TimelineEntry[] }>(
    ['loop-pauses'],
    `/api/timeline${qs({ types: 'LoopPaused,LoopResumed', from: '2000-01-01T00:00:00Z', limit: 5000 })}`,
  );
  const states = pausesFrom(q.data?.data.items ?? [], Date.now());
  return (
    <Panel title="Loops" queries={[q]}>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Loop</th>
              <th scope="col">State</th>
              <th scope="col">Since</th>
              {canAct && <th scope="col">Action</th>}
            </tr>
          </thead>
          <tbody>
            {LOOPS.map(({ loop, name, base, effect }) => {
              const s = states.get(loop);
              const paused = !!s?.paused;
              return (
                <tr key={loop} data-loop={loop}>
                  <th scope="row">{name}</th>
                  <td>
                    <Badge kind={paused ? 'warn' : 'ok'}>{paused ? 'paused' : 'running'}</Badge>
                    {s && (
                      <div className="small muted">
                        {paused ? 'paused' : 'resumed'} by {s.by}: “{s.reason}”
                        {paused && s.resumeAt && (
                          <>
                            {' '}
                            · resumes <Time iso={s.resumeAt} />
                          </>
                        )}
                      </div>
                    )}
                  </td>
                  <td>{s ? <Time iso={s.at} /> : <span className="muted">never paused</span>}</td>
                  {canAct && (
                    <td>
                      {paused ? (
                        <Action
                          label="Resume"
                          title={`Resume the ${name.toLowerCase()}`}
                          refetch={['loop-pauses', 'system']}
                          run={(reason) => call('POST', `${base}/resume`, { reason }).then(() => `${name} resumed`)}
                        />
                      ) : (
                        <Action
                          label="Pause"
                          title={`Pause the ${name.toLowerCase()} of the whole installation`}
                          description={<p>{effect}</p>}
                          fields={
                            <label>
                              Resume by itself at (UTC, optional) <input type="datetime-local" name="resumeAt" />
                            </label>
                          }
                          danger
                          refetch={['loop-pauses', 'system']}
                          run={(reason, form) =>
                            call('POST', `${base}/pause`, {
                              reason,
                              ...(form.resumeAt ? { resumeAt: new Date(`${form.resumeAt}:00Z`).toISOString() } : {}),
                            }).then(() => `${name} paused`)
                          }
                        />
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
