import { useEffect, useRef, useState } from 'react';
import { qs } from '../api/client';
import { useLiveQuery } from '../api/live';
import type { TimelineEntry } from '../api/types';
import { useAt } from '../at';
import { Panel, Time } from '../components/panel';
import { exact } from '../format';
import { useSession } from '../session';

const SPANS: [string, number][] = [
  ['1 hour', 3_600_000],
  ['6 hours', 6 * 3_600_000],
  ['24 hours', 24 * 3_600_000],
  ['7 days', 7 * 24 * 3_600_000],
];
const WINDOWS: [string, number][] = [
  ['5 minutes', 300_000],
  ['15 minutes', 900_000],
  ['1 hour', 3_600_000],
  ['6 hours', 6 * 3_600_000],
];
const STEPS = 1000;

/**
 * The incident timeline, and the console's time slider: moving it sets ?at= for every page that
 * supports it (they show that instant, under a "viewing the past" banner) and shows the events
 * up to that instant here.
 */
export function TimelinePage() {
  const session = useSession();
  const [at, setAt] = useAt();
  const [now, setNow] = useState(() => Date.now());
  const [span, setSpan] = useState(SPANS[0][1]);
  const [windowMs, setWindowMs] = useState(WINDOWS[1][1]);
  const [filters, setFilters] = useState({ types: '', target: '', job: '', tenant: '' });
  const atMs = at ? Date.parse(at) : now;
  const [slider, setSlider] = useState(() => Math.round(((atMs - (now - span)) / span) * STEPS));
  const debounce = useRef<number | null>(null);

  useEffect(() => setSlider(Math.max(0, Math.min(STEPS, Math.round(((atMs - (now - span)) / span) * STEPS)))), [atMs, span, now]);

  const move = (v: number) => {
    setSlider(v);
    if (debounce.current) window.clearTimeout(debounce.current);
    debounce.current = window.setTimeout(() => {
      if (v >= STEPS) return setAt(null);
      setAt(new Date(now - span + (v / STEPS) * span).toISOString());
    }, 250);
  };

  const to = at ?? new Date(now).toISOString();
  const from = new Date(Date.parse(to) - windowMs).toISOString();
  const path = `/api/timeline${qs({ from, to: at ? to : undefined, limit: 500, types: filters.types.replace(/\s+/g, ''), target: filters.target, job: filters.job, tenant: filters.tenant })}`;
  const events = useLiveQuery<{ items: TimelineEntry[]; nextCursor: string | null }>(
    ['timeline', at ? 'past' : 'live', path],
    at ? path : path.replace(/([?&])to=[^&]*&?/, '$1'),
    { past: !!at },
  );
  const items = [...(events.data?.data.items ?? [])].reverse();
  const sliderInstant = new Date(now - span + (slider / STEPS) * span).toISOString();
  const set = (k: keyof typeof filters) => (e: React.ChangeEvent<HTMLInputElement>) => setFilters({ ...filters, [k]: e.target.value });

  return (
    <>
      <h1>Timeline</h1>
      <section className="panel slider-panel" aria-labelledby="slider-title">
        <header className="panel-head">
          <h2 id="slider-title">Time slider</h2>
          <div className="panel-meta">
            <label className="small">
              Spans the last{' '}
              <select value={span} onChange={(e) => setSpan(Number(e.target.value))}>
                {SPANS.map(([l, v]) => (
                  <option key={v} value={v}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" className="secondary" onClick={() => setNow(Date.now())}>
              Move to now
            </button>
            {at && (
              <button type="button" onClick={() => setAt(null)}>
                Back to live
              </button>
            )}
          </div>
        </header>
        <label htmlFor="time-slider" className="sr-only">
          Instant to view
        </label>
        <input
          id="time-slider"
          type="range"
          min={0}
          max={STEPS}
          value={slider}
          data-start={now - span}
          data-span={span}
          onChange={(e) => move(Number(e.target.value))}
          aria-valuetext={slider >= STEPS ? 'now (live)' : exact(sliderInstant)}
        />
        <div className="slider-scale small muted">
          <span>{exact(new Date(now - span).toISOString())}</span>
          <strong>{slider >= STEPS ? 'live' : exact(sliderInstant)}</strong>
          <span>now</span>
        </div>
        <p className="small muted">
          Moving the slider sets ?at= for every page that supports it: Targets, Dead letters, Jobs, System (queue and workers), Audit and this timeline.
        </p>
      </section>
      <Panel title="Events" queries={[events]}>
        <div className="filters" role="search" aria-label="Filter events">
          <label>
            Window{' '}
            <select value={windowMs} onChange={(e) => setWindowMs(Number(e.target.value))}>
              {WINDOWS.map(([l, v]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <label>
            Types <input value={filters.types} onChange={set('types')} placeholder="PollFailed,BreakerOpened" />
          </label>
          <label>
            Target <input value={filters.target} onChange={set('target')} placeholder="instance::eu-1" />
          </label>
          <label>
            Job <input value={filters.job} onChange={set('job')} />
          </label>
          {!session.tenant && (
            <label>
              Tenant <input value={filters.tenant} onChange={set('tenant')} />
            </label>
          )}
        </div>
        <p className="small muted">
          {items.length} events from {exact(from)} to {at ? exact(to) : 'now'}
          {events.data?.data.nextCursor ? ' (the first 500; narrow the window)' : ''}, newest first.
        </p>
        <ol className="events timeline" tabIndex={0} aria-label="Events, newest first">
          {items.map((e) => (
            <li key={e.eventId}>
              <Time iso={e.at} now={at ? Date.parse(at) : undefined} /> <span className="etype">{e.type}</span> {e.summary}
              <span className="muted small">
                {e.actor ? ` · ${e.actor}` : ''}
                {e.tenant ? ` · ${e.tenant}` : ''}
              </span>
              {e.causedBy.length > 0 && <div className="small muted cause">caused by: {e.causedBy[0].summary}</div>}
            </li>
          ))}
        </ol>
      </Panel>
    </>
  );
}
