import { useState } from 'react';
import { Link, useParams } from 'wouter';
import { call, qs } from '../api/client';
import { useLiveQuery } from '../api/live';
import type { Target, TimelineEntry } from '../api/types';
import { Action } from '../components/action';
import { HoldNote } from '../components/hold-note';
import { PauseAction } from '../components/pause-action';
import { LiveOnlyNote } from '../components/live-only';
import { Badge, Panel, Time } from '../components/panel';
import { useCan } from '../session';
import { duration, exact } from '../format';
import { statusOf } from './targets';

const OUTCOMES = new Set(['PollSucceeded', 'PollFailed', 'PollSkipped']);
const WINDOW_MS = 30 * 60_000;

/** One target: its state, why it polls when it does, its recent outcomes and decisions, and the operator actions. */
export function TargetPage() {
  const { key: raw } = useParams<{ key: string }>();
  const key = decodeURIComponent(raw ?? '');
  const canAct = useCan('operator');
  const target = useLiveQuery<Target>(['target', key], `/api/targets/${encodeURIComponent(key)}`);
  const [from] = useState(() => new Date(Date.now() - WINDOW_MS).toISOString());
  const events = useLiveQuery<{ items: TimelineEntry[] }>(['timeline', 'target', key], `/api/timeline${qs({ target: key, from, limit: 500 })}`);
  const t = target.data?.data;
  const items = [...(events.data?.data.items ?? [])].reverse();
  const outcomes = items.filter((e) => OUTCOMES.has(e.type)).slice(0, 30);
  const decisions = items.filter((e) => !OUTCOMES.has(e.type)).slice(0, 30);
  const post = (path: string, body: unknown) => call('POST', `/api/targets/${encodeURIComponent(key)}/${path}`, body);
  const refetch = ['target', 'targets', 'scheduler-health', 'timeline', 'dead-letters'];

  return (
    <>
      <p className="crumbs">
        <Link href="/targets">Targets</Link> / {key}
      </p>
      <h1>{key}</h1>
      <LiveOnlyNote what="A target's drill-in" />
      <Panel
        title="State"
        queries={[target]}
        actions={
          t && canAct ? (
            <span className="action-row">
              <Action
                label="Poll now"
                title={`Poll ${key} now`}
                description="Probes at once, even with an open breaker (it half-opens) or in the dead-letter set."
                disabled={t.paused}
                disabledReason={t.paused ? 'paused: resume it first' : undefined}
                refetch={refetch}
                run={(reason) => post('poll-now', { reason }).then(() => 'Poll requested')}
              />
              <Action
                label="Reset breaker"
                title={`Reset the breaker of ${key}`}
                description="Closes the breaker (failure count and trips reset) and probes at once."
                refetch={refetch}
                run={(reason) => post('reset-breaker', { reason }).then(() => 'Breaker reset')}
              />
              <Action
                label="Redrive"
                title={`Redrive ${key}`}
                description="Takes it out of the dead-letter set and probes it at once."
                disabled={!t.deadLetter.present}
                disabledReason={t.deadLetter.present ? undefined : 'not dead-lettered'}
                refetch={refetch}
                run={(reason) => post('redrive', { reason }).then(() => 'Redriven')}
              />
              <PauseAction
                what={key}
                base={`/api/targets/${encodeURIComponent(key)}`}
                paused={t.paused}
                effect="No probe runs until it is resumed (no failure, no breaker effect); it polls again at its next due time."
                refetch={refetch}
              />
            </span>
          ) : null
        }
      >
        {t && (
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <Badge {...(({ kind, label }) => ({ kind, children: label }))(statusOf(t))} />
            </dd>
            <dt>Probe</dt>
            <dd className="mono">{t.connection}</dd>
            <dt>Tenant</dt>
            <dd>{t.tenant ?? 'none'}</dd>
            <dt>Breaker</dt>
            <dd>
              {t.breaker.state} since <Time iso={t.breaker.since} />
              {t.breaker.retryAt && (
                <>
                  , retry <Time iso={t.breaker.retryAt} />
                </>
              )}{' '}
              ({t.breaker.failureCount} failures)
            </dd>
            <dt>Failure streak</dt>
            <dd>
              {t.pollStatus.consecutiveFailures}
              {t.pollStatus.firstFailureAt && (
                <>
                  {' '}
                  since <Time iso={t.pollStatus.firstFailureAt} />
                </>
              )}
            </dd>
            <dt>Last success</dt>
            <dd>
              <Time iso={t.pollStatus.lastSuccess} />
            </dd>
            <dt>Last error</dt>
            <dd>
              {t.pollStatus.lastError ? `${t.pollStatus.lastError.message} (${t.pollStatus.lastError.category}, ${exact(t.pollStatus.lastError.at)})` : '—'}
            </dd>
            <dt>Held</dt>
            <dd>{t.hold ? <HoldNote hold={t.hold} /> : 'no'}</dd>
            <dt>Next due</dt>
            <dd>{t.paused || t.hold ? 'held' : <Time iso={t.nextPollAt} />}</dd>
            <dt>Dead letter</dt>
            <dd>
              {t.deadLetter.present ? (
                <>
                  {t.deadLetter.reason}, {t.deadLetter.retryCount} retries, next <Time iso={t.deadLetter.nextRetry} />
                </>
              ) : (
                'no'
              )}
            </dd>
          </dl>
        )}
      </Panel>
      <Panel title="Why it polls when it does" queries={[target]}>
        {t?.lastInterval ? (
          <>
            <p>{explainInterval(t.lastInterval)}</p>
            <details>
              <summary>Every figure of the last schedule decision</summary>
              <dl className="facts">
                {Object.entries(t.lastInterval).map(([k, v]) => (
                  <div key={k} className="fact">
                    <dt>{k}</dt>
                    <dd className="mono">{String(v)}</dd>
                  </div>
                ))}
              </dl>
            </details>
          </>
        ) : (
          <p className="muted">No schedule decision recorded yet.</p>
        )}
      </Panel>
      <div className="two-col">
        <Panel title="Recent outcomes" queries={[events]}>
          <EventList items={outcomes} empty="No poll in the last 30 minutes." label="Recent outcomes" />
        </Panel>
        <Panel title="Decisions and actions" queries={[events]}>
          <EventList items={decisions} empty="No decision in the last 30 minutes." label="Decisions and actions" />
        </Panel>
      </div>
    </>
  );
}

export function EventList({ items, empty, label }: { items: TimelineEntry[]; empty: string; label: string }) {
  if (!items.length) return <p className="muted">{empty}</p>;
  return (
    // Scrollable: focusable so a keyboard can scroll it.
    <ol className="events" tabIndex={0} aria-label={label}>
      {items.map((e) => (
        <li key={e.eventId}>
          <Time iso={e.at} />{' '}
          <span className={`etype etype-${e.type.startsWith('PollFailed') || e.type.includes('Opened') || e.type.includes('DeadLettered') ? 'bad' : 'plain'}`}>
            {e.type}
          </span>{' '}
          {e.summary}
          {e.actor && e.actor !== 'system' && <span className="muted small"> · {e.actor}</span>}
        </li>
      ))}
    </ol>
  );
}

/** The last schedule decision (the API's lastInterval) in one sentence. */
export function explainInterval(i: Record<string, number | string>): string {
  const ms = (k: string) => duration(Number(i[k]));
  const quiet = Number(i.factor) !== 1 ? `, ×${i.factor} for quiet hours` : '';
  if (i.mode !== 'adaptive') return `Fixed interval: the next poll comes ${ms('chosenMs')} after the last one (base ${ms('baseMs')}${quiet}).`;
  return `Adaptive: staleness ${i.stalenessScore} and ${i.recentErrors} recent errors give ${ms('rawMs')}; smoothed with the previous ${ms('previousMs')} to ${ms('smoothedMs')}, jitter ×${i.jitter}${quiet}, kept within ${ms('minMs')}–${ms('maxMs')}: the next poll comes ${ms('chosenMs')} after the last one.`;
}
