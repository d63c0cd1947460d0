import { call } from '../api/client';
import type { LoopPause, PauseList } from '../api/hold-types';
import { useLiveQuery } from '../api/live';
import type { PausableLoop } from '../api/toolbelt-types';
import { useCan, useSession } from '../session';
import { Action } from './action';
import { Badge, Panel, Time } from './panel';
import { RESUME_AT_FIELD, utcFromInput } from './pause-action';

const LOOPS: { loop: PausableLoop; name: string; base: string; effect: string }[] = [
  { loop: 'job-worker', name: 'Job workers', base: '/api/jobs/worker', effect: 'No run is claimed (cron and run-now still queue them); running runs finish.' },
  {
    loop: 'poll-scheduler',
    name: 'Poll scheduler',
    base: '/api/monitoring/scheduler',
    effect: 'No target is polled (scheduled polls, dead-letter retries and requested polls wait); probes in flight finish.',
  },
];

/** Its latest pause in words: paused by whom and why, resumed by whom, or ended by itself at its resumeAt. */
function LoopState({ s }: { s: LoopPause }) {
  if (!s.pausedBy) return null;
  if (s.paused)
    return (
      <div className="small muted">
        paused by {s.pausedBy}: “{s.reason}”
        {s.resumeAt && (
          <>
            {' '}
            · resumes <Time iso={s.resumeAt} />
          </>
        )}
      </div>
    );
  if (s.resumedBy)
    return (
      <div className="small muted">
        resumed by {s.resumedBy}: “{s.resumeReason}” (paused by {s.pausedBy}: “{s.reason}”)
      </div>
    );
  return (
    <div className="small muted">
      resumed by itself at its resumeAt (paused by {s.pausedBy}: “{s.reason}”)
    </div>
  );
}

/** Whole-loop pause and resume (operator, installation-wide), with a reason and an optional automatic resume. */
export function LoopPausesPanel() {
  const session = useSession();
  const canAct = useCan('operator') && !session.tenant;
  const q = useLiveQuery<PauseList>(['pauses'], '/api/pauses');
  const states = new Map((q.data?.data.loops ?? []).map((l) => [l.loop, l]));
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
                    {s && <LoopState s={s} />}
                  </td>
                  <td>{s?.pausedAt ? <Time iso={paused ? s.pausedAt : (s.resumedAt ?? s.resumeAt)} /> : <span className="muted">never paused</span>}</td>
                  {canAct && (
                    <td>
                      {paused ? (
                        <Action
                          label="Resume"
                          title={`Resume the ${name.toLowerCase()}`}
                          refetch={['pauses', 'system']}
                          run={(reason) => call('POST', `${base}/resume`, { reason }).then(() => `${name} resumed`)}
                        />
                      ) : (
                        <Action
                          label="Pause"
                          title={`Pause the ${name.toLowerCase()} of the whole installation`}
                          description={<p>{effect}</p>}
                          fields={RESUME_AT_FIELD}
                          danger
                          refetch={['pauses', 'system']}
                          run={(reason, form) =>
                            call('POST', `${base}/pause`, {
                              reason,
                              ...(form.resumeAt ? { resumeAt: utcFromInput(form.resumeAt) } : {}),
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
