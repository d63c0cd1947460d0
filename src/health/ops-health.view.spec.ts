import { evolveTarget, TargetState } from '../polling/target.state';
import type { TargetEvent } from '../polling/events/target.events';
import type { LoopStateRow } from '../database/loop-state';
import { OpsHealthConfig, opsHealthView } from './ops-health.view';

const now = new Date('2026-03-02T10:30:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const cfg: OpsHealthConfig = { staleFactor: 2.5, disabledThreshold: 0.1, stuckAfterMs: 60_000, stuckMinReady: 1, quietHours: null, quietHoursTz: 'UTC' };
const loop = (over: Partial<LoopStateRow> = {}): LoopStateRow => ({
  loop: 'poll-scheduler',
  instanceId: 'a',
  state: 'working',
  intervalMs: 5000,
  lastRunAt: ago(1000),
  beatAt: ago(1000),
  startedAt: ago(100_000),
  detail: { role: 'active', inFlight: 2 },
  ...over,
});

function target(name: string, over: Partial<TargetState> = {}): TargetState {
  const reg: TargetEvent = {
    type: 'TargetRegistered',
    data: {
      key: `feed::${name}`,
      spec: { type: 'feed', name, probe: { kind: 'http', url: `http://${name.split('.')[0]}.example/ics` } },
      source: 'api',
      at: ago(3_600_000).toISOString(),
    },
  };
  return { ...evolveTarget(null, reg)!, lastSuccess: ago(5000).toISOString(), nextDueAt: now.toISOString(), nextDueMs: now.getTime() + 5000, ...over };
}
const failing = (name: string, at: number, dead: boolean): Partial<TargetState> => ({
  consecutiveFailures: 3,
  lastError: { at: ago(at).toISOString(), message: 'timeout', category: 'transient', failureKind: 'http_timeout', statusCode: null },
  deadLetter: dead
    ? {
        reason: 'max_retry_attempts',
        firstAttempt: ago(at).toISOString(),
        lastAttempt: ago(at).toISOString(),
        retryCount: 0,
        nextRetry: ago(-300_000).toISOString(),
      }
    : null,
});

describe('ops health view (its rules)', () => {
  const healthy = Array.from({ length: 20 }, (_, i) => target(`h${i}.x`));

  it('healthy: no issues, seed field names, queue and coverage', () => {
    const b = opsHealthView(healthy, [loop()], now, cfg);
    expect(b).toMatchObject({
      status: 'healthy',
      issues: [],
      workers: { 'poll-scheduler': 'working' },
      inQuietHours: false,
      queue: { depth: 20, ready: 0, locked: 2 },
      coverage: { total: 20, healthy: 20, deadLettered: 0 },
      failedHosts: null,
      recentFailures: null,
    });
    expect(b.lastSuccessAt).toBe('2026-03-02T10:29:55Z');
  });

  it('unhealthy when no loop ever started', () => {
    expect(opsHealthView(healthy, [], now, cfg)).toMatchObject({ status: 'unhealthy', issues: ['Jobs not started'] });
  });

  it('unhealthy when a loop is stale past 2.5× its interval, and back', () => {
    expect(opsHealthView(healthy, [loop({ lastRunAt: ago(12_400) })], now, cfg).status).toBe('healthy');
    const b = opsHealthView(healthy, [loop({ lastRunAt: ago(45 * 60_000) })], now, cfg);
    expect(b).toMatchObject({ status: 'unhealthy', issues: ['poll-scheduler stale (45m ago)'] });
  });

  it('a standby process does not hide a stale active one only when nothing else reports', () => {
    const standby = loop({ instanceId: 'b', state: 'idle', detail: { role: 'standby' }, lastRunAt: ago(100) });
    expect(opsHealthView(healthy, [loop({ lastRunAt: ago(45 * 60_000) }), standby], now, cfg).status).toBe('unhealthy');
    expect(opsHealthView(healthy, [loop(), standby], now, cfg).status).toBe('healthy');
  });

  it('unhealthy when the queue is stuck: targets overdue while the scheduler idles', () => {
    const overdue = [...healthy, target('late.x', { nextDueMs: now.getTime() - 120_000 })];
    expect(opsHealthView(overdue, [loop()], now, cfg).status).toBe('healthy'); // working: it is catching up
    expect(opsHealthView(overdue, [loop({ state: 'idle' })], now, cfg)).toMatchObject({
      status: 'unhealthy',
      issues: ['Queue stuck: 1 ready but scheduler idle'],
      queue: { ready: 1 },
    });
  });

  it('degraded above 10 % dead-lettered, with failed hosts and recent failures; healthy at 10 %', () => {
    const two = [...healthy.slice(0, 18), target('fac.m1', failing('fac.m1', 1000, true)), target('fac.m2', failing('fac.m2', 2000, false))];
    expect(opsHealthView(two, [loop()], now, cfg).status).toBe('healthy'); // 1/20 = 5 %
    const many = [
      ...healthy.slice(0, 17),
      target('fac.m1', failing('fac.m1', 1000, true)),
      target('fac.m2', failing('fac.m2', 2000, true)),
      target('enscr.a', failing('enscr.a', 500, true)),
    ];
    const b = opsHealthView(many, [loop()], now, cfg);
    expect(b).toMatchObject({ status: 'degraded', issues: ['High disabled: 3/20 (15%)'], coverage: { total: 20, deadLettered: 3, healthy: 17 } });
    expect(b.failedHosts).toEqual([
      { host: 'fac.example', count: 2, lastFailure: 'http_timeout', kind: 'http_timeout' },
      { host: 'enscr.example', count: 1, lastFailure: 'http_timeout', kind: 'http_timeout' },
    ]);
    expect(b.recentFailures![0]).toEqual({
      planningFullId: 'feed::enscr.a',
      target: 'feed::enscr.a',
      failureKind: 'http_timeout',
      kind: 'http_timeout',
      failures: 3,
      disabledUntil: '2026-03-02T10:35:00Z',
    });
  });

  it('paused loop → degraded; stopped → unhealthy; quiet hours reported', () => {
    expect(opsHealthView(healthy, [loop({ state: 'paused' })], now, cfg)).toMatchObject({ status: 'degraded', issues: ['poll-scheduler paused'] });
    expect(opsHealthView(healthy, [loop({ state: 'stopped' })], now, cfg)).toMatchObject({ status: 'unhealthy', issues: ['poll-scheduler stopped'] });
    expect(opsHealthView(healthy, [loop()], now, { ...cfg, quietHours: { startMinute: 10 * 60, endMinute: 11 * 60 } }).inQuietHours).toBe(true);
  });

  it('restore drill: shown when recorded; missing or older than 92 days is a notice, an issue (degraded) only when required', () => {
    const drill = (daysAgo: number) => ({
      drillId: `d${daysAgo}`,
      owner: 'alice',
      result: 'passed' as const,
      notes: null,
      eventsRestored: null,
      durationSeconds: null,
      performedAt: ago(daysAgo * 86_400_000).toISOString(),
    });
    const fresh = opsHealthView(healthy, [loop()], now, cfg);
    expect(fresh).toMatchObject({ status: 'healthy', issues: [], restoreDrill: null, notices: ['No restore drill recorded in 92 days'] });
    expect(opsHealthView(healthy, [loop()], now, { ...cfg, requireRestoreDrill: true })).toMatchObject({
      status: 'degraded',
      issues: ['No restore drill recorded in 92 days'],
      notices: [],
    });
    const recent = opsHealthView(healthy, [loop()], now, { ...cfg, requireRestoreDrill: true }, [drill(200), drill(30)]);
    expect(recent).toMatchObject({
      status: 'healthy',
      issues: [],
      notices: [],
      restoreDrill: {
        lastAt: ago(30 * 86_400_000)
          .toISOString()
          .replace('.000', ''),
        owner: 'alice',
        result: 'passed',
      },
    });
    expect(opsHealthView(healthy, [loop()], now, { ...cfg, requireRestoreDrill: true }, [drill(93)]).status).toBe('degraded');
    // A drill dated after `now` (e.g. asked at an earlier `?at=`) does not count yet.
    expect(opsHealthView(healthy, [loop()], now, cfg, [drill(-1)]).restoreDrill).toBeNull();
  });
});
