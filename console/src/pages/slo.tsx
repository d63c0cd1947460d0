import { Link } from 'wouter';
import { qs } from '../api/client';
import type { Slo } from '../api/hold-types';
import { useLiveQuery } from '../api/live';
import { useAt, withAt } from '../at';
import { Badge, Panel, Time } from '../components/panel';
import '../components/holds.css';
import { duration } from '../format';

export type SloStatus = 'breached' | 'at-risk' | 'met' | 'unmeasured';

/**
 * Breached: the window's attainment is below the objective (its error budget is spent). At risk:
 * a burn-rate alert's condition holds, it is stale now, or less than a quarter of the budget is left.
 */
export function sloStatus(s: Slo): SloStatus {
  if (s.attainment === null) return 'unmeasured';
  if (s.attainment < s.objective.objective) return 'breached';
  if (s.alerts.fastBurn || s.alerts.slowBurn || s.freshness.state === 'stale' || (s.errorBudget.leftPercent ?? 100) < 25) return 'at-risk';
  return 'met';
}

const KIND = { breached: 'bad', 'at-risk': 'warn', met: 'ok', unmeasured: 'muted' } as const;
const LABEL: Record<SloStatus, string> = { breached: 'breached', 'at-risk': 'at risk', met: 'met', unmeasured: 'not measured yet' };
const pct = (v: number | null, digits = 2) => (v === null ? '—' : `${v.toFixed(digits)} %`);
/** 300 → "5 min", 90 → "1 min 30 s". */
const age = (seconds: number) => (seconds % 60 === 0 ? `${seconds / 60} min` : duration(seconds * 1000));

/** Every target's freshness objective: attainment over its window, error budget left, burn rates; worst first (the API's order). */
export function SloPage() {
  const [at] = useAt();
  const q = useLiveQuery<{ targets: Slo[] }>(['slo', at], `/api/slo${qs({ at })}`, { past: !!at });
  const items = q.data?.data.targets ?? [];
  const count = (s: SloStatus) => items.filter((x) => sloStatus(x) === s).length;
  return (
    <>
      <h1>Freshness objectives</h1>
      <div className="cards" aria-label="Summary">
        {(['breached', 'at-risk', 'met'] as const).map((s) => (
          <div key={s} className={`card ${s === 'breached' && count(s) ? 'card-bad' : s === 'at-risk' && count(s) ? 'card-warn' : ''}`} data-card={s}>
            <span className="card-label">{LABEL[s]}</span>
            <span className="card-value">{q.data ? count(s) : '—'}</span>
          </div>
        ))}
      </div>
      <Panel
        title="Objectives"
        queries={[q]}
        note="A target is fresh while its last successful poll is at most the objective's age old. Breached: attainment below the objective (budget spent); at risk: a burn-rate alert holds, it is stale now, or under 25 % of the budget is left."
      >
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Target</th>
                <th scope="col">Status</th>
                <th scope="col">Objective</th>
                <th scope="col">Attainment</th>
                <th scope="col">Budget left</th>
                <th scope="col">Burn rates</th>
                <th scope="col">Freshness</th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => {
                const st = sloStatus(s);
                return (
                  <tr key={s.key} data-slo={s.key} data-status={st}>
                    <th scope="row">
                      <Link href={withAt(`/targets/${encodeURIComponent(s.key)}`, at)}>{s.key}</Link>
                      {s.tenant && <div className="small">tenant {s.tenant}</div>}
                    </th>
                    <td>
                      <Badge kind={KIND[st]}>{LABEL[st]}</Badge>
                      {(s.alerts.fastBurn || s.alerts.slowBurn) && (
                        <div className="small">{[s.alerts.fastBurn && 'fast burn', s.alerts.slowBurn && 'slow burn'].filter(Boolean).join(', ')}</div>
                      )}
                    </td>
                    <td>
                      {s.objective.objective} % at most {age(s.objective.maxAgeSeconds)} old
                      <div className="small muted">over {s.objective.window}</div>
                    </td>
                    <td className={`num slo-${st}`}>{pct(s.attainment, 3)}</td>
                    <td className={`num slo-${st}`}>
                      {pct(s.errorBudget.leftPercent, 1)}
                      <div className="small muted">
                        {duration(Math.max(0, s.errorBudget.leftSeconds) * 1000)} of {duration(s.errorBudget.totalSeconds * 1000)}
                        {s.errorBudget.leftSeconds < 0 && `, overspent by ${duration(-s.errorBudget.leftSeconds * 1000)}`}
                      </div>
                    </td>
                    <td>
                      <span className="burn-rates small">
                        {Object.entries(s.burnRates).map(([w, r]) => (
                          <span key={w}>
                            {w}: <span className={r > 1 ? 'warn-text' : undefined}>{r}×</span>
                          </span>
                        ))}
                      </span>
                    </td>
                    <td>
                      <Badge kind={s.freshness.state === 'fresh' ? 'ok' : s.freshness.state === 'stale' ? 'bad' : 'muted'}>{s.freshness.state}</Badge>
                      <div className="small muted">
                        {s.freshness.state === 'stale' ? (
                          <>
                            since <Time iso={s.freshness.staleSince} now={at ? Date.parse(at) : undefined} />
                          </>
                        ) : s.freshness.lastSuccessAt ? (
                          <>
                            last success <Time iso={s.freshness.lastSuccessAt} now={at ? Date.parse(at) : undefined} />
                          </>
                        ) : (
                          'no success yet'
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
              {q.data && !items.length && (
                <tr>
                  <td colSpan={7} className="muted">
                    No target has a freshness objective (declare one with `freshness` on the target, or PUT /api/targets/:key/slo).
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
