import type { LoopPauseRow } from '../../projections/loop-pauses/loop-pauses.projection';
import type { LoopStateRow } from '../database/loop-state';
import { assessOpsHealth, OpsHealthConfig } from './ops-health.rules';

const now = new Date('2026-03-02T10:30:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const cfg: OpsHealthConfig = { staleFactor: 2.5, disabledThreshold: 0.1, stuckAfterMs: 60_000, stuckMinReady: 1, quietHours: null, quietHoursTz: 'UTC' };
const row = (loop: string, over: Partial<LoopStateRow> = {}): LoopStateRow => ({
  loop,
  instanceId: 'a',
  state: 'idle',
  intervalMs: 5000,
  lastRunAt: ago(1000),
  beatAt: ago(1000),
  startedAt: ago(100_000),
  detail: { role: 'active' },
  ...over,
});
const disabled = (over: Partial<LoopStateRow> = {}) =>
  row('job-worker', { state: 'stopped', lastRunAt: ago(3_600_000), beatAt: ago(3_600_000), detail: { role: 'disabled', reason: 'RUN_JOBS=false' }, ...over });
const pause = (loop: 'job-worker' | 'poll-scheduler', over: Partial<LoopPauseRow> = {}): LoopPauseRow => ({
  loop,
  paused: true,
  reason: 'failover',
  pausedBy: 'alice',
  pausedAt: ago(60_000).toISOString(),
  resumeAt: null,
  resumedBy: null,
  resumedAt: null,
  resumeReason: null,
  ...over,
});

describe('ops health rule "RUN_JOBS=false or jobs paused"', () => {
  const scheduler = row('poll-scheduler', { state: 'working' });

  it('RUN_JOBS=false in every process that reports the job worker: unhealthy, "Jobs not started (RUN_JOBS=false)", never stale', () => {
    const a = assessOpsHealth({ targets: [], loops: [scheduler, disabled()] }, now, cfg);
    expect(a).toMatchObject({ status: 'unhealthy', issues: ['Jobs not started (RUN_JOBS=false)'] });
    expect(a.loops.find((l) => l.loop === 'job-worker')).toMatchObject({ stale: false, speaker: { state: 'stopped' } });
  });

  it('another process running the job worker speaks for it: a RUN_JOBS=false process is then no issue', () => {
    const a = assessOpsHealth(
      { targets: [], loops: [scheduler, disabled({ beatAt: ago(10) }), row('job-worker', { instanceId: 'b', lastRunAt: ago(2000), beatAt: ago(2000) })] },
      now,
      cfg,
    );
    expect(a).toMatchObject({ status: 'healthy', issues: [] });
  });

  it('an operator pause: degraded, the loop shown paused at once, the issue says who, until when and why', () => {
    const a = assessOpsHealth(
      { targets: [], loops: [scheduler, row('job-worker', { state: 'working' })], pauses: [pause('job-worker', { resumeAt: '2026-03-02T11:00:00.000Z' })] },
      now,
      cfg,
    );
    expect(a).toMatchObject({ status: 'degraded', issues: ['job-worker paused by alice until 2026-03-02T11:00:00.000Z: failover'] });
    expect(a.loops.find((l) => l.loop === 'job-worker')!.speaker.state).toBe('paused');
    expect(a.pauses).toHaveLength(1);
  });

  it('a pause past its resumeAt, a resumed one, or one after `now` does not count', () => {
    for (const p of [
      pause('job-worker', { resumeAt: ago(1).toISOString() }),
      pause('job-worker', { paused: false }),
      pause('job-worker', { pausedAt: ago(-1000).toISOString() }),
    ]) {
      expect(assessOpsHealth({ targets: [], loops: [scheduler, row('job-worker')], pauses: [p] }, now, cfg)).toMatchObject({ status: 'healthy', pauses: [] });
    }
  });

  it('a paused poll scheduler with overdue targets is degraded (paused), not "Queue stuck"; a pause of a loop nobody runs still counts', () => {
    const overdue = { key: 'feed::a', paused: false, deadLetter: null, forceNext: false, nextDueMs: now.getTime() - 120_000 } as never;
    const a = assessOpsHealth({ targets: [overdue], loops: [scheduler], pauses: [pause('poll-scheduler')] }, now, cfg);
    expect(a).toMatchObject({ status: 'degraded', issues: ['poll-scheduler paused by alice: failover'] });
    expect(assessOpsHealth({ targets: [], loops: [scheduler], pauses: [pause('job-worker')] }, now, cfg)).toMatchObject({
      status: 'degraded',
      issues: ['job-worker paused by alice: failover'],
    });
  });

  it('a stopped loop stays stopped (unhealthy) even while paused', () => {
    expect(assessOpsHealth({ targets: [], loops: [row('poll-scheduler', { state: 'stopped' })], pauses: [pause('poll-scheduler')] }, now, cfg)).toMatchObject({
      status: 'unhealthy',
      issues: ['poll-scheduler stopped'],
    });
  });
});
