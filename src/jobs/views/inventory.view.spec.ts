import type { JobDefinitionRow } from '../../../projections/job-definitions/job-definition-row';
import { inventoryItem, PILING_UP_AT } from './inventory.view';
import { dailyTrendView } from './trend.view';

const now = new Date('2025-03-01T05:59:30Z');
const row = (over: Partial<JobDefinitionRow['definition']> = {}): JobDefinitionRow => ({
  name: 'daily-mrr-rollup',
  source: 'config',
  definedAt: '',
  changedAt: '',
  removedAt: null,
  missedTicks: 0,
  lastMissedTick: null,
  definition: {
    name: 'daily-mrr-rollup',
    description: 'MRR',
    owner: 'finance',
    schedule: '0 6 * * *',
    timezone: 'UTC',
    priority: 'high',
    manualRun: false,
    cancellable: false,
    targetDurationMs: 60_000,
    timeoutMs: 1,
    maxAttempts: 1,
    backoff: { kind: 'fixed', baseMs: 0, maxMs: 0 },
    expiresAfterMs: null,
    tenant: null,
    catchUp: 'once',
    handler: { kind: 'code', handler: 'x' },
    ...over,
  },
});

describe('inventory view', () => {
  it('shows the schedule in words and raw, the next run, and the last run', () => {
    const v = inventoryItem(
      row(),
      { pending: 0, running: 0, oldestRunningSince: null, oldestReadyAt: null },
      { runId: 'r1', state: 'failed', at: '2025-02-28T06:00:05.000Z', durationMs: 5000 },
      now,
    );
    expect(v).toMatchObject({
      schedule: { kind: 'cron', text: 'At 06:00 AM', cron: '0 6 * * *', timezone: 'UTC' },
      nextRunAt: '2025-03-01T06:00:00Z',
      nextRunInSeconds: 30,
      manualRun: false,
      lastRun: { runId: 'r1', status: 'failed', at: '2025-02-28T06:00:05Z', durationMs: 5000 },
      sla: { runningBeyondTarget: false, pilingUp: false, attention: false },
    });
  });

  it('flags a run beyond its target duration, and a pile-up', () => {
    const v = inventoryItem(row(), { pending: PILING_UP_AT + 1, running: 1, oldestRunningSince: '2025-03-01T05:58:00Z', oldestReadyAt: null }, undefined, now);
    expect(v.sla).toEqual({
      targetDurationMs: 60_000,
      runningBeyondTarget: true,
      longestRunningMs: 90_000,
      pilingUp: true,
      unresolvedFailures: 0,
      attention: true,
    });
  });

  it('calls for attention on unresolved failures only', () => {
    const quiet = { pending: 0, running: 0, oldestRunningSince: null, oldestReadyAt: null };
    expect(inventoryItem(row(), quiet, undefined, now, { unresolvedFailures: 2 }).sla).toMatchObject({ unresolvedFailures: 2, attention: true });
    expect(inventoryItem(row(), quiet, undefined, now, { unresolvedFailures: 0 }).sla).toMatchObject({ unresolvedFailures: 0, attention: false });
  });

  it('carries the expiration note in the description when queued runs expire', () => {
    expect(inventoryItem(row({ expiresAfterMs: 7_200_000 }), undefined, undefined, now)).toMatchObject({
      description: 'MRR. Expires if still queued after 2 h.',
      expiresAfterMs: 7_200_000,
    });
    expect(inventoryItem(row({ description: '', expiresAfterMs: 90_000 }), undefined, undefined, now).description).toBe('Expires if still queued after 90 s.');
    expect(inventoryItem(row(), undefined, undefined, now).description).toBe('MRR');
  });

  it('shows the stuck age: the declared one, else the installation default', () => {
    expect(inventoryItem(row({ stuckAfterMs: 3_600_000 }), undefined, undefined, now, { defaultStuckAfterMs: 900_000 }).stuckAfterMs).toBe(3_600_000);
    expect(inventoryItem(row(), undefined, undefined, now, { defaultStuckAfterMs: 900_000 }).stuckAfterMs).toBe(900_000);
  });

  it('on-demand jobs have no next run', () => {
    expect(inventoryItem(row({ schedule: 'on-demand' }), undefined, undefined, now)).toMatchObject({
      schedule: { kind: 'on-demand', cron: null },
      nextRunAt: null,
      pending: 0,
    });
  });

  it('the trend has all 30 days, zeros where nothing ran', () => {
    const t = dailyTrendView(
      [
        { day: '2025-03-01', runs: 4, failures: 1 },
        { day: '2025-02-01', runs: 2, failures: 2 },
      ],
      now,
    );
    expect(t).toHaveLength(30);
    expect(t[0]).toEqual({ day: '2025-01-31', runs: 0, failures: 0, unresolved: 0 });
    expect(t[1]).toEqual({ day: '2025-02-01', runs: 2, failures: 2, unresolved: 0 });
    expect(t[29]).toEqual({ day: '2025-03-01', runs: 4, failures: 1, unresolved: 0 });
    expect(dailyTrendView([{ day: '2025-03-01', runs: 4, failures: 1 }], now, new Map([['2025-03-01', 1]]))[29]).toEqual({
      day: '2025-03-01',
      runs: 4,
      failures: 1,
      unresolved: 1,
    });
  });
});
