import { evolveTarget, TargetState } from '../polling/target.state';
import type { TargetEvent } from '../polling/events/target.events';
import type { LoopStateRow } from '../database/loop-state';
import { OpsHealthConfig, opsHealthView } from './ops-health.view';
import { PLANNING_FAILURE_KINDS } from './planning-fields';

const now = new Date('2026-03-02T10:30:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const iso = (ms: number) => ago(ms).toISOString();
const cfg: OpsHealthConfig = {
  staleFactor: 2.5,
  disabledThreshold: 0.1,
  stuckAfterMs: 60_000,
  stuckMinReady: 1,
  quietHours: null,
  quietHoursTz: 'UTC',
  maxIntervalMs: 60_000,
};
const scheduler: LoopStateRow = {
  loop: 'poll-scheduler',
  instanceId: 'a',
  state: 'working',
  intervalMs: 5000,
  lastRunAt: ago(1000),
  beatAt: ago(1000),
  startedAt: ago(100_000),
  detail: { role: 'active', inFlight: 0 },
};
const interval = {
  mode: 'fixed' as const,
  baseMs: 10_000,
  minMs: 5000,
  maxMs: 60_000,
  stalenessScore: 0,
  recentErrors: 0,
  previousMs: 10_000,
  rawMs: 10_000,
  smoothedMs: 10_000,
  jitter: 1,
  factor: 1,
  chosenMs: 10_000,
};

/** A target folded from real events, so `lastWrite` is what the projection builds. */
function fold(name: string, events: (key: string) => TargetEvent[]): TargetState {
  const key = `feed::${name}`;
  const reg: TargetEvent = {
    type: 'TargetRegistered',
    data: { key, spec: { type: 'feed', name, probe: { kind: 'http', url: `http://${name.split('.')[0]}.example/ics` } }, source: 'api', at: iso(3_600_000) },
  };
  return [reg, ...events(key)].reduce<TargetState | null>((s, e) => evolveTarget(s, e), null)!;
}
const ok = (key: string, atMs: number, statusCode = 200): TargetEvent => ({
  type: 'PollSucceeded',
  data: { key, at: iso(atMs), durationMs: 12, statusCode, trigger: 'schedule', dueAt: iso(atMs), interval, nextPollAt: iso(atMs - 10_000) },
});
const failed = (key: string, atMs: number, failureKind: 'http_5xx' | 'invalid_config' | 'blocked_by_policy', n: number): TargetEvent => ({
  type: 'PollFailed',
  data: {
    key,
    at: iso(atMs),
    durationMs: 8,
    statusCode: failureKind === 'http_5xx' ? 503 : null,
    trigger: 'schedule',
    dueAt: iso(atMs),
    interval,
    nextPollAt: iso(atMs - 10_000),
    failureKind,
    category: failureKind === 'blocked_by_policy' ? 'config' : failureKind === 'invalid_config' ? 'permanent' : 'transient',
    message: 'x',
    consecutiveFailures: n,
  },
});
const opened = (key: string, atMs: number, retryInMs: number): TargetEvent => ({
  type: 'BreakerOpened',
  data: { key, since: iso(atMs), lastTransition: iso(atMs), retryAt: iso(-retryInMs), failureCount: 3, trips: 1 },
});
const deadLettered = (key: string, atMs: number, retryInMs: number): TargetEvent => ({
  type: 'TargetDeadLettered',
  data: { key, at: iso(atMs), reason: 'permanent_failure', firstAttempt: iso(atMs), lastAttempt: iso(atMs), retryCount: 0, nextRetry: iso(-retryInMs) },
});

describe('ops health: the planning-refresh API fields beside our own', () => {
  it('backups: total, covered within the staleness horizon, disabled = breaker open or dead-lettered', () => {
    const targets = [
      fold('a.x', (k) => [ok(k, 5000)]), // covered
      fold('b.x', (k) => [ok(k, 10 * 60_000)]), // last success 10 min ago, horizon max(60 s, 2.5 × 10 s): not covered
      fold('c.x', (k) => [
        ok(k, 50_000),
        failed(k, 4000, 'http_5xx', 1),
        failed(k, 3000, 'http_5xx', 2),
        failed(k, 2000, 'http_5xx', 3),
        opened(k, 2000, 5000),
      ]),
      fold('d.x', (k) => [failed(k, 1000, 'invalid_config', 1), deadLettered(k, 1000, 300_000)]),
      fold('e.x', () => []), // never polled
    ];
    const b = opsHealthView(targets, [scheduler], now, cfg);
    expect(b.backups).toEqual({ total: 5, covered: 2, disabled: 2 });
  });

  it('lastBackupWrite: the latest poll outcome, whether it changed from the one before, and how many events its append wrote', () => {
    const steady = fold('a.x', (k) => [ok(k, 9000), ok(k, 8000)]);
    expect(opsHealthView([steady], [scheduler], now, cfg).lastBackupWrite).toEqual({
      planningFullId: 'feed::a.x',
      changed: false,
      nbEvents: 1,
      at: '2026-03-02T10:29:52Z',
      outcome: 'ok 200',
    });
    const tripped = fold('c.x', (k) => [ok(k, 7000), failed(k, 4000, 'http_5xx', 1), failed(k, 3000, 'http_5xx', 2), opened(k, 3000, 5000)]);
    expect(opsHealthView([steady, tripped], [scheduler], now, cfg).lastBackupWrite).toMatchObject({
      planningFullId: 'feed::c.x',
      changed: false,
      nbEvents: 2,
      outcome: 'http_5xx 503',
    });
    const first = fold('n.x', (k) => [ok(k, 100, 204)]);
    expect(opsHealthView([steady, tripped, first], [scheduler], now, cfg).lastBackupWrite).toMatchObject({
      planningFullId: 'feed::n.x',
      changed: true,
      nbEvents: 1,
    });
    const flipped = fold('f.x', (k) => [ok(k, 300), failed(k, 50, 'http_5xx', 1)]);
    expect(opsHealthView([steady, flipped], [scheduler], now, cfg).lastBackupWrite).toMatchObject({ planningFullId: 'feed::f.x', changed: true, nbEvents: 1 });
    expect(opsHealthView([fold('e.x', () => [])], [scheduler], now, cfg).lastBackupWrite).toBeNull();
  });

  it('recentFailures: planningFullId, a documented failureKind (precise one in kind), disabledUntil = the next try', () => {
    const targets = [
      fold('c.x', (k) => [failed(k, 4000, 'http_5xx', 1), failed(k, 3000, 'http_5xx', 2), failed(k, 2000, 'http_5xx', 3), opened(k, 2000, 20_000)]), // open until after its next due time
      fold('d.x', (k) => [failed(k, 1000, 'invalid_config', 1), deadLettered(k, 1000, 300_000)]),
      fold('p.x', (k) => [failed(k, 500, 'blocked_by_policy', 1)]),
    ];
    const b = opsHealthView(targets, [scheduler], now, cfg);
    expect(b.recentFailures).toEqual([
      {
        planningFullId: 'feed::p.x',
        target: 'feed::p.x',
        failureKind: 'network_error',
        kind: 'blocked_by_policy',
        failures: 1,
        disabledUntil: '2026-03-02T10:30:09Z',
      },
      { planningFullId: 'feed::d.x', target: 'feed::d.x', failureKind: 'http_4xx', kind: 'invalid_config', failures: 1, disabledUntil: '2026-03-02T10:35:00Z' },
      { planningFullId: 'feed::c.x', target: 'feed::c.x', failureKind: 'http_5xx', kind: 'http_5xx', failures: 3, disabledUntil: '2026-03-02T10:30:20Z' },
    ]);
    for (const f of b.recentFailures!) expect(PLANNING_FAILURE_KINDS).toContain(f.failureKind);
    expect(b.failedHosts).toEqual([
      { host: 'p.example', count: 1, lastFailure: 'network_error', kind: 'blocked_by_policy' },
      { host: 'd.example', count: 1, lastFailure: 'http_4xx', kind: 'invalid_config' },
      { host: 'c.example', count: 1, lastFailure: 'http_5xx', kind: 'http_5xx' },
    ]);
  });

  it('failedHosts and recentFailures are null, not [], when nothing fails; a paused target is left out (it has no next try)', () => {
    const b = opsHealthView([fold('a.x', (k) => [ok(k, 1000)])], [scheduler], now, cfg);
    expect([b.failedHosts, b.recentFailures]).toEqual([null, null]);
    const paused = fold('q.x', (k) => [failed(k, 1000, 'http_5xx', 1), { type: 'TargetPaused', data: { key: k, at: iso(900) } }]);
    expect(opsHealthView([paused], [scheduler], now, cfg).recentFailures).toBeNull();
  });

  it('workers.backfill and workers.refreshWorker show the poll scheduler beside every loop; unknown without one', () => {
    expect(opsHealthView([], [scheduler, { ...scheduler, loop: 'job-worker', state: 'idle' }], now, cfg).workers).toEqual({
      'job-worker': 'idle',
      'poll-scheduler': 'working',
      backfill: 'working',
      refreshWorker: 'working',
    });
    expect(opsHealthView([], [{ ...scheduler, state: 'paused' }], now, cfg).workers).toMatchObject({ backfill: 'paused', refreshWorker: 'paused' });
    expect(opsHealthView([], [{ ...scheduler, loop: 'job-worker' }], now, cfg).workers).toMatchObject({ backfill: 'unknown', refreshWorker: 'unknown' });
  });
});
