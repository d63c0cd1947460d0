import type { JobDefinitionRow } from '../../../projections/job-definitions/job-definition-row';
import { cronProblems } from './cron-problems';

const now = new Date('2025-03-01T02:05:00Z');
const def = (name: string, schedule: string, changedAt = '2025-02-01T00:00:00.000Z', removedAt: string | null = null): JobDefinitionRow => ({
  name,
  source: 'config',
  definedAt: changedAt,
  changedAt,
  removedAt,
  missedTicks: 0,
  lastMissedTick: null,
  definition: {
    name,
    description: '',
    owner: null,
    schedule,
    timezone: 'UTC',
    priority: 'normal',
    manualRun: true,
    cancellable: false,
    targetDurationMs: null,
    timeoutMs: 1,
    maxAttempts: 1,
    backoff: { kind: 'fixed', baseMs: 0, maxMs: 0 },
    expiresAfterMs: null,
    tenant: null,
    catchUp: 'once',
    handler: { kind: 'code', handler: name },
  },
});
const last = (state: string) => ({ runId: 'r', state, at: '2025-03-01T02:00:05.000Z', durationMs: 5 });

describe('cron problems', () => {
  it('given a scheduled job whose last run was dead-lettered, then "last run failed"', () => {
    expect(
      cronProblems(
        [def('nightly-report', '0 2 * * *')],
        new Map([['nightly-report', last('failed')]]),
        new Map([['nightly-report', new Date('2025-03-01T02:00:00Z')]]),
        now,
        60_000,
      ),
    ).toEqual(['nightly-report: last run failed']);
  });

  it('given the latest tick past the grace has no run, then it is overdue; within the grace it is not yet', () => {
    const d = [def('nightly-report', '0 2 * * *')];
    const ranYesterday = new Map([['nightly-report', new Date('2025-02-28T02:00:00Z')]]);
    expect(cronProblems(d, new Map(), ranYesterday, now, 60_000)).toEqual(['nightly-report: tick 2025-03-01T02:00:00Z overdue']);
    expect(cronProblems(d, new Map(), ranYesterday, now, 10 * 60_000)).toEqual([]);
  });

  it('ignores on-demand and removed jobs, ticks before the job was (re)defined, and succeeded runs', () => {
    expect(
      cronProblems(
        [def('adhoc', 'on-demand'), def('gone', '0 2 * * *', undefined, '2025-02-02T00:00:00.000Z'), def('new', '0 2 * * *', '2025-03-01T02:01:00.000Z')],
        new Map([['adhoc', last('failed')]]),
        new Map(),
        now,
        60_000,
      ),
    ).toEqual([]);
    expect(
      cronProblems([def('ok', '0 2 * * *')], new Map([['ok', last('succeeded')]]), new Map([['ok', new Date('2025-03-01T02:00:00Z')]]), now, 60_000),
    ).toEqual([]);
  });
});
