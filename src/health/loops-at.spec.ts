import { evolveTarget, TargetState } from '../polling/target.state';
import type { WorkerHistoryRow } from '../../projections/job-workers/worker-history-row';
import type { TargetEvent } from '../polling/events/target.events';
import { LoopsAtConfig, loopsAt } from './loops-at';
import { opsHealthView } from './ops-health.view';

const at = new Date('2026-03-02T10:30:00.000Z');
const ago = (ms: number) => new Date(at.getTime() - ms).toISOString();
const cfg: LoopsAtConfig = {
  schedulerEnabled: true,
  schedulerReportMs: 1000,
  quietHours: null,
  quietHoursTz: 'UTC',
  workerHeartbeatMs: 200,
  cronTickMs: 1000,
  janitorIntervalMs: 900_000,
};
const opsCfg = { staleFactor: 2.5, disabledThreshold: 0.1, stuckAfterMs: 60_000, stuckMinReady: 1, quietHours: null, quietHoursTz: 'UTC' };

function target(name: string, over: Partial<TargetState>): TargetState {
  const reg: TargetEvent = {
    type: 'TargetRegistered',
    data: { key: `svc::${name}`, spec: { type: 'svc', name, probe: { kind: 'http', url: 'http://h/x' } }, source: 'api', at: ago(3_600_000) },
  };
  return { ...evolveTarget(null, reg)!, ...over };
}
const worker = (over: Partial<WorkerHistoryRow> = {}): WorkerHistoryRow => ({
  workerId: 'w1',
  host: 'h',
  pid: 1,
  mode: 'all',
  version: '0',
  concurrency: 1,
  startedAt: ago(60_000),
  stoppedAt: null,
  reapedAt: null,
  lastEventAt: ago(60_000),
  processed: 0,
  failed: 0,
  ...over,
});

describe('loop rows at a past instant, from the log', () => {
  it('given a recent poll outcome, when derived, then the scheduler is working and not stale', () => {
    const rows = loopsAt([target('a', { lastPollAt: ago(300), nextDueAt: ago(-700), nextDueMs: at.getTime() + 700 })], [], at, cfg);
    expect(rows).toEqual([expect.objectContaining({ loop: 'poll-scheduler', state: 'working', lastRunAt: at, intervalMs: 1000 })]);
    expect(opsHealthView([], rows, at, opsCfg).status).toBe('healthy');
  });

  it('given nothing due since the last outcome, when derived, then idle with last run = at (nothing to do is not staleness)', () => {
    const rows = loopsAt([target('a', { lastPollAt: ago(600_000), nextDueAt: ago(-60_000), nextDueMs: at.getTime() + 60_000 })], [], at, cfg);
    expect(rows[0]).toMatchObject({ state: 'idle', lastRunAt: at });
  });

  it('given work overdue and the last outcome long ago, when derived, then the view calls the scheduler stale and the queue stuck', () => {
    const targets = [target('a', { lastPollAt: ago(120_000), nextDueAt: ago(110_000), nextDueMs: at.getTime() - 110_000 })];
    const rows = loopsAt(targets, [], at, cfg);
    expect(rows[0]).toMatchObject({ state: 'idle', lastRunAt: new Date(Date.parse(ago(120_000))) });
    expect(opsHealthView(targets, rows, at, opsCfg)).toMatchObject({
      status: 'unhealthy',
      issues: ['poll-scheduler stale (2m ago)', 'Queue stuck: 1 ready but scheduler stale'],
    });
  });

  it('given a live job worker, then job-worker, cron and janitor rows; given it stopped or was reaped, then stopped or crashed', () => {
    expect(loopsAt([], [worker({ lastEventAt: ago(100) })], at, { ...cfg, schedulerEnabled: false }).map((r) => [r.loop, r.state])).toEqual([
      ['cron', 'idle'],
      ['janitor', 'idle'],
      ['job-worker', 'working'],
    ]);
    expect(loopsAt([], [worker({ stoppedAt: ago(5000) })], at, { ...cfg, schedulerEnabled: false }).map((r) => [r.loop, r.state])).toEqual([
      ['cron', 'stopped'],
      ['janitor', 'stopped'],
      ['job-worker', 'stopped'],
    ]);
    expect(loopsAt([], [worker({ reapedAt: ago(5000) })], at, { ...cfg, schedulerEnabled: false }).find((r) => r.loop === 'job-worker')!.state).toBe('crashed');
    // A worker that starts after `at` does not exist yet.
    expect(loopsAt([], [worker({ startedAt: ago(-1000) })], at, { ...cfg, schedulerEnabled: false })).toEqual([]);
  });
});
